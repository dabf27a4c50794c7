package kube

import (
	"encoding/binary"
	"errors"
)

// unreadFields names, by protobuf field number, what a row never reads of
// an object: a nil entry is left out whole, a non-nil one is a message
// whose own unread fields are left out.
type unreadFields map[uint64]unreadFields

// The parts of an object a row never reads, left out of each listed item
// before it is decoded: the metadata's managed fields and annotations for
// every kind, and the largest parts of a pod's spec (volumes, scheduling,
// and each container's environment, mounts, probes and security) and of a
// node's status (its images). Field numbers are those of Kubernetes'
// generated.proto.
var (
	unreadMetadata = unreadFields{12: nil, 17: nil}
	unreadInObject = unreadFields{1: unreadMetadata}

	unreadContainer = unreadFields{7: nil, 9: nil, 10: nil, 11: nil, 12: nil, 15: nil, 19: nil, 22: nil}
	unreadInPod     = unreadFields{1: unreadMetadata,
		2: {1: nil, 2: unreadContainer, 18: nil, 20: unreadContainer, 22: nil, 33: nil}}
	unreadInNode = unreadFields{1: unreadMetadata, 3: {8: nil}}
)

// unreadIn are the fields each kind's rows never read (unreadInObject for
// the others).
var unreadIn = map[string]unreadFields{"Pod": unreadInPod, "Node": unreadInNode}

const (
	fixed64Wire = 1
	fixed32Wire = 5
)

// leaveOut appends msg, a protobuf message, to out without the fields
// unread names. A message it cannot read is appended whole, to be decoded
// (and its error reported) as it is.
func leaveOut(out, msg []byte, unread unreadFields) []byte {
	start := len(out)
	out, err := appendKept(out, msg, unread)
	if err != nil {
		return append(out[:start], msg...)
	}
	return out
}

var errTruncated = errors.New("truncated protobuf field")

func appendKept(out, msg []byte, unread unreadFields) ([]byte, error) {
	for len(msg) > 0 {
		tag, n := binary.Uvarint(msg)
		if n <= 0 {
			return out, errTruncated
		}
		size := n
		var value []byte
		switch tag & 7 {
		case varintWire:
			_, m := binary.Uvarint(msg[n:])
			if m <= 0 {
				return out, errTruncated
			}
			size += m
		case fixed64Wire:
			size += 8
		case fixed32Wire:
			size += 4
		case lengthDelimit:
			length, m := binary.Uvarint(msg[n:])
			if m <= 0 || uint64(len(msg)-n-m) < length {
				return out, errTruncated
			}
			value = msg[n+m : n+m+int(length)]
			size += m + int(length)
		default:
			return out, errTruncated
		}
		if size > len(msg) {
			return out, errTruncated
		}
		nested, named := unread[tag>>3]
		switch {
		case named && nested == nil:
		case named && tag&7 == lengthDelimit:
			out = binary.AppendUvarint(out, tag)
			at := len(out)
			var err error
			if out, err = appendKept(out, value, nested); err != nil {
				return out, err
			}
			// The kept part's length goes in front of it.
			kept := len(out) - at
			var length [binary.MaxVarintLen64]byte
			n := binary.PutUvarint(length[:], uint64(kept))
			out = append(out, length[:n]...)
			copy(out[at+n:], out[at:at+kept])
			copy(out[at:], length[:n])
		default:
			out = append(out, msg[:size]...)
		}
		msg = msg[size:]
	}
	return out, nil
}
