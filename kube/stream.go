package kube

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// protobufPrefix starts every protobuf body of a Kubernetes API server.
var protobufPrefix = []byte("k8s\x00")

// Field numbers of the messages a protobuf LIST is made of: the envelope
// (runtime.Unknown) holds the list in raw; the list holds its metadata and
// its items.
const (
	envelopeRaw   = 2
	listMetadata  = 1
	listItems     = 2
	lengthDelimit = 2 // wire type of messages, strings and bytes
	varintWire    = 0
)

// protoMessage is a generated Kubernetes type, which decodes itself.
type protoMessage interface {
	runtime.Object
	Unmarshal([]byte) error
}

// decodeListStream reads a protobuf LIST from body one item at a time,
// decoding each into a new object from newItem and handing it to each as
// soon as its bytes have arrived: decoding goes on while the rest of the
// list is still on its way, and the whole list is never in memory at once.
// ok is false when the body is not protobuf (the server answered in JSON):
// nothing has been read from rest, which holds the whole body.
func decodeListStream(body io.Reader, newItem func() (protoMessage, error), unread unreadFields, each func(runtime.Object)) (meta metav1.ListMeta, rest io.Reader, ok bool, err error) {
	r := bufio.NewReaderSize(body, 64<<10)
	prefix, err := r.Peek(len(protobufPrefix))
	if err != nil && !errors.Is(err, io.EOF) {
		return meta, nil, false, err
	}
	if !bytes.Equal(prefix, protobufPrefix) {
		return meta, r, false, nil
	}
	_, _ = r.Discard(len(protobufPrefix))
	s := &protoStream{r: r}
	var kept []byte
	err = s.fields(-1, func(field int, size int) error {
		if field != envelopeRaw {
			return s.skip(size)
		}
		return s.fields(size, func(field int, size int) error {
			data, err := s.bytes(size)
			if err != nil {
				return err
			}
			switch field {
			case listMetadata:
				return meta.Unmarshal(data)
			case listItems:
				item, err := newItem()
				if err != nil {
					return err
				}
				if unread != nil {
					kept = leaveOut(kept[:0], data, unread)
					data = kept
				}
				if err := item.Unmarshal(data); err != nil {
					return err
				}
				each(item)
			}
			return nil
		})
	})
	return meta, nil, true, err
}

// protoStream reads protobuf fields from a stream.
type protoStream struct {
	r   *bufio.Reader
	buf []byte
}

// fields reads the fields of a message of size bytes (-1: up to the end of
// the stream) and hands each length-delimited one to field, which must read
// exactly size bytes; varint fields are skipped.
func (s *protoStream) fields(size int, field func(number, size int) error) error {
	for read := 0; size < 0 || read < size; {
		tag, n, err := s.varint()
		if errors.Is(err, io.EOF) && size < 0 && n == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		read += n
		switch tag & 7 {
		case varintWire:
			_, n, err := s.varint()
			if err != nil {
				return err
			}
			read += n
		case lengthDelimit:
			length, n, err := s.varint()
			if err != nil {
				return err
			}
			read += n
			if err := field(int(tag>>3), int(length)); err != nil {
				return err
			}
			read += int(length)
		default:
			return fmt.Errorf("protobuf list: field %d has wire type %d, which a list never holds", tag>>3, tag&7)
		}
	}
	return nil
}

// varint reads a varint and says how many bytes it took.
func (s *protoStream) varint() (uint64, int, error) {
	counted := &countingByteReader{r: s.r}
	v, err := binary.ReadUvarint(counted)
	if errors.Is(err, io.EOF) && counted.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return v, counted.n, err
}

// bytes reads the next size bytes into a buffer reused by the next call.
func (s *protoStream) bytes(size int) ([]byte, error) {
	if cap(s.buf) < size {
		s.buf = make([]byte, size)
	}
	s.buf = s.buf[:size]
	_, err := io.ReadFull(s.r, s.buf)
	return s.buf, err
}

func (s *protoStream) skip(size int) error {
	_, err := s.r.Discard(size)
	return err
}

// countingByteReader counts the bytes read through it.
type countingByteReader struct {
	r *bufio.Reader
	n int
}

func (c *countingByteReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
