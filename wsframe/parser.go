package wsframe

import "encoding/binary"

// DefaultPreview is how many payload bytes a Parser keeps per frame unless
// told otherwise.
const DefaultPreview = 64

// Parser reads frames from one direction of a connection, fed in pieces of
// any size, in order. The zero value is ready to use.
type Parser struct {
	// Preview is how many payload bytes to keep per frame (DefaultPreview
	// if 0). A close frame's code and reason are read in full regardless.
	Preview int

	hdr       []byte // header bytes so far
	inPayload bool
	cur       Frame
	seen      uint64 // payload bytes of cur read so far
	body      []byte // close frame payload, unmasked
}

// headerLen is the whole header's length, known from its second byte.
func headerLen(b1 byte) int {
	n := 2
	switch b1 & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b1&0x80 != 0 {
		n += 4
	}
	return n
}

// Feed parses b and calls emit for every frame that ends in it. A frame
// whose payload spans several calls is emitted once, when its last byte
// arrives.
func (p *Parser) Feed(b []byte, emit func(Frame)) {
	for len(b) > 0 {
		if !p.inPayload {
			need := 2
			if len(p.hdr) >= 2 {
				need = headerLen(p.hdr[1])
			}
			take := min(need-len(p.hdr), len(b))
			p.hdr = append(p.hdr, b[:take]...)
			b = b[take:]
			if len(p.hdr) < 2 || len(p.hdr) < headerLen(p.hdr[1]) {
				continue
			}
			p.startPayload()
			if p.cur.Length == 0 {
				p.finish(emit)
			}
			continue
		}
		left := p.cur.Length - p.seen
		n := len(b)
		if uint64(n) > left {
			n = int(left)
		}
		p.keep(b[:n])
		p.seen += uint64(n)
		b = b[n:]
		if p.seen == p.cur.Length {
			p.finish(emit)
		}
	}
}

// startPayload decodes the complete header in p.hdr.
func (p *Parser) startPayload() {
	h := p.hdr
	f := Frame{
		FIN:    h[0]&0x80 != 0,
		RSV:    (h[0] >> 4) & 0x7,
		Opcode: h[0] & 0x0f,
		Masked: h[1]&0x80 != 0,
		Header: append([]byte(nil), h...),
	}
	rest := h[2:]
	switch n := h[1] & 0x7f; n {
	case 126:
		f.Length = uint64(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
	case 127:
		f.Length = binary.BigEndian.Uint64(rest)
		rest = rest[8:]
	default:
		f.Length = uint64(n)
	}
	if f.Masked {
		copy(f.MaskKey[:], rest)
	}
	p.cur = f
	p.seen = 0
	p.body = p.body[:0]
	p.inPayload = true
}

// keep records what the frame view shows of a piece of payload that starts
// at offset p.seen: the preview, and a close frame's body.
func (p *Parser) keep(b []byte) {
	limit := p.Preview
	if limit <= 0 {
		limit = DefaultPreview
	}
	if p.cur.Opcode == OpClose {
		limit = max(limit, maxControlPayload)
	}
	for i, c := range b {
		off := p.seen + uint64(i)
		if off >= uint64(limit) {
			break
		}
		if p.cur.Masked {
			c ^= p.cur.MaskKey[off%4]
		}
		p.body = append(p.body, c)
	}
}

// finish emits the current frame and gets ready for the next header.
func (p *Parser) finish(emit func(Frame)) {
	f := p.cur
	limit := p.Preview
	if limit <= 0 {
		limit = DefaultPreview
	}
	if f.Opcode == OpClose && len(p.body) >= 2 {
		f.CloseCode = int(binary.BigEndian.Uint16(p.body))
		f.CloseReason = string(p.body[2:])
	}
	f.Preview = append([]byte(nil), p.body[:min(len(p.body), limit)]...)
	f.Truncated = f.Length > uint64(len(f.Preview))
	p.hdr = p.hdr[:0]
	p.inPayload = false
	emit(f)
}
