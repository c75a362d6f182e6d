package pushtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// headerLen is the RFC 8188 header of a Web Push record: salt (16), rs (4),
// idlen (1) and the sender's 65-byte public key as keyid.
const headerLen = 16 + 4 + 1 + 65

// Decrypt is the user agent's side of RFC 8291: it opens an aes128gcm body
// (RFC 8188 header and a single record) with the receiver's ECDH private key
// and 16-byte auth secret and returns the plaintext without its padding.
func Decrypt(receiverPriv *ecdh.PrivateKey, auth []byte, body []byte) ([]byte, error) {
	if receiverPriv == nil || receiverPriv.Curve() != ecdh.P256() {
		return nil, errors.New("pushtest: receiver key must be a P-256 private key")
	}
	if len(auth) != 16 {
		return nil, fmt.Errorf("pushtest: auth secret must be 16 bytes, got %d", len(auth))
	}
	if len(body) < 21 {
		return nil, fmt.Errorf("pushtest: body of %d bytes is shorter than the aes128gcm header", len(body))
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	if idlen := body[20]; idlen != 65 {
		return nil, fmt.Errorf("pushtest: keyid is %d bytes, RFC 8291 wants the 65-byte sender key", idlen)
	}
	if len(body) < headerLen+16+1 {
		return nil, fmt.Errorf("pushtest: body of %d bytes has no room for a record", len(body))
	}
	senderPub := body[21:headerLen]
	record := body[headerLen:]
	// RFC 8291 §4: one record, and rs larger than it.
	if uint64(len(record)) >= uint64(rs) {
		return nil, fmt.Errorf("pushtest: record of %d bytes does not fit rs %d (one record only)", len(record), rs)
	}
	remote, err := ecdh.P256().NewPublicKey(senderPub)
	if err != nil {
		return nil, fmt.Errorf("pushtest: sender key: %w", err)
	}
	secret, err := receiverPriv.ECDH(remote)
	if err != nil {
		return nil, fmt.Errorf("pushtest: ecdh: %w", err)
	}
	ks, err := deriveKeys(secret, auth, receiverPriv.PublicKey().Bytes(), senderPub, salt)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(ks.cek)
	if err != nil {
		return nil, fmt.Errorf("pushtest: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pushtest: %w", err)
	}
	padded, err := gcm.Open(nil, ks.nonce, record, nil)
	if err != nil {
		return nil, fmt.Errorf("pushtest: decrypt: %w", err)
	}
	// Padding is zeros after a delimiter; the only (so last) record's
	// delimiter is 0x02 and anything else MUST be discarded (RFC 8291 §4).
	i := len(padded) - 1
	for i >= 0 && padded[i] == 0 {
		i--
	}
	if i < 0 || padded[i] != 2 {
		return nil, errors.New("pushtest: padding delimiter is not 0x02")
	}
	return padded[:i], nil
}

// keySchedule holds every value RFC 8291 §3.4 derives, so the Appendix A
// test can check each one.
type keySchedule struct {
	prkKey, ikm, prk, cek, nonce []byte
}

// deriveKeys follows RFC 8291 §3.4: the auth secret and ECDH secret make the
// IKM, from which RFC 8188 derives the content key and nonce with the salt.
func deriveKeys(ecdhSecret, auth, uaPublic, asPublic, salt []byte) (keySchedule, error) {
	var ks keySchedule
	var err error
	if ks.prkKey, err = hkdf.Extract(sha256.New, ecdhSecret, auth); err != nil {
		return ks, fmt.Errorf("pushtest: hkdf: %w", err)
	}
	info := make([]byte, 0, 14+65+65)
	info = append(info, "WebPush: info\x00"...)
	info = append(info, uaPublic...)
	info = append(info, asPublic...)
	if ks.ikm, err = hkdf.Expand(sha256.New, ks.prkKey, string(info), 32); err != nil {
		return ks, fmt.Errorf("pushtest: hkdf: %w", err)
	}
	if ks.prk, err = hkdf.Extract(sha256.New, ks.ikm, salt); err != nil {
		return ks, fmt.Errorf("pushtest: hkdf: %w", err)
	}
	if ks.cek, err = hkdf.Expand(sha256.New, ks.prk, "Content-Encoding: aes128gcm\x00", 16); err != nil {
		return ks, fmt.Errorf("pushtest: hkdf: %w", err)
	}
	if ks.nonce, err = hkdf.Expand(sha256.New, ks.prk, "Content-Encoding: nonce\x00", 12); err != nil {
		return ks, fmt.Errorf("pushtest: hkdf: %w", err)
	}
	return ks, nil
}
