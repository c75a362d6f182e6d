package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// recordSize is the single aes128gcm record every push is padded to (as
// webpush-go did), so the body's length says nothing about the message.
// MaxPayload is what fits in it.
const recordSize = 4096

// headerLen is salt (16) + rs (4) + idlen (1) + the sender's P-256 key (65).
const headerLen = 16 + 4 + 1 + 65

// encrypt seals payload for a browser's key uaPublic and auth secret as
// RFC 8291 §3 and RFC 8188 describe: a fresh ECDH key and salt for every
// message (the RFC's forward secrecy rests on it, so nothing here is
// cached), one record padded to recordSize.
func encrypt(payload []byte, uaPublic *ecdh.PublicKey, auth []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrPayloadTooLarge, len(payload), MaxPayload)
	}
	asPriv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	return seal(payload, uaPublic, auth, asPriv, salt, true)
}

// seal is encrypt with the sender's key and the salt given, so that RFC
// 8291's Appendix A vector can check it byte for byte; pad fills the one
// record to recordSize (the vector's record is not padded).
func seal(payload []byte, uaPublic *ecdh.PublicKey, auth []byte, asPriv *ecdh.PrivateKey, salt []byte, pad bool) ([]byte, error) {
	secret, err := asPriv.ECDH(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	asPublic := asPriv.PublicKey().Bytes()

	info := make([]byte, 0, 14+65+65)
	info = append(info, "WebPush: info\x00"...)
	info = append(info, uaPublic.Bytes()...)
	info = append(info, asPublic...)
	ikm, err := hkdf.Key(sha256.New, secret, auth, string(info), 32)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}

	body := make([]byte, headerLen, recordSize)
	copy(body[:16], salt)
	binary.BigEndian.PutUint32(body[16:20], recordSize)
	body[20] = byte(len(asPublic))
	copy(body[21:], asPublic)

	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("webpush: encrypt: %w", err)
	}
	// The plaintext is the payload, the last-record delimiter 0x02 and zero
	// padding; it is built in the body's own tail and sealed in place.
	end := recordSize - gcm.Overhead()
	if !pad {
		end = headerLen + len(payload) + 1
	}
	plain := body[headerLen:end]
	n := copy(plain, payload)
	plain[n] = 2
	clear(plain[n+1:])
	return gcm.Seal(body[:headerLen], nonce, plain, nil), nil
}
