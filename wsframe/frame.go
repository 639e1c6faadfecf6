// Package wsframe reads WebSocket frames (RFC 6455 §5.2) out of a byte
// stream as it passes by, for the demo's frame view. It never changes the
// bytes and never holds a whole frame: only its header, the first bytes of
// its payload (unmasked) and, for a close frame, its code and reason.
package wsframe

import "fmt"

// Opcodes of RFC 6455 §5.2.
const (
	OpContinuation byte = 0x0
	OpText         byte = 0x1
	OpBinary       byte = 0x2
	OpClose        byte = 0x8
	OpPing         byte = 0x9
	OpPong         byte = 0xA
)

// maxControlPayload is the most a control frame (close, ping, pong) may
// carry; a close frame's reason is read from at most this much.
const maxControlPayload = 125

// OpcodeName names an opcode the way RFC 6455 does.
func OpcodeName(op byte) string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	if op < 0x8 {
		return fmt.Sprintf("reserved data 0x%X", op)
	}
	return fmt.Sprintf("reserved control 0x%X", op)
}

// IsControl reports whether op is a control opcode (0x8 to 0xF).
func IsControl(op byte) bool { return op&0x8 != 0 }

// Frame is one frame as it crossed the wire.
type Frame struct {
	FIN     bool
	RSV     byte // RSV1, RSV2, RSV3 as bits 2, 1, 0
	Opcode  byte
	Masked  bool
	MaskKey [4]byte // when Masked
	Length  uint64  // payload length
	Header  []byte  // the header exactly as sent: 2 to 14 bytes
	// Preview is the start of the payload, unmasked; Truncated says the
	// payload was longer.
	Preview   []byte
	Truncated bool
	// CloseCode and CloseReason are a close frame's body (0 and "" when
	// the close frame carried none).
	CloseCode   int
	CloseReason string
}

// WireBytes is what the frame took on the wire: header and payload.
func (f Frame) WireBytes() uint64 { return uint64(len(f.Header)) + f.Length }
