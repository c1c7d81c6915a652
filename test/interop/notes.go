package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// "notes" opens a signed checkpoint note (stdin) with x/mod's note.Open: the log's Ed25519 key
// must have signed it, and every witness key given that signed it must verify (cosignature/v1).
// "sign-note" signs a text (stdin) with x/mod's note.Sign, to compare with our signer's bytes.
func init() {
	register("notes", "<log vkey> [<witness vkey>...] < note", func(args []string) error {
		verifiers, err := verifiersFor(args)
		if err != nil {
			return err
		}
		logKey := verifiers[0]
		msg, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		n, err := note.Open(msg, note.VerifierList(verifiers...))
		if err != nil {
			return fmt.Errorf("note.Open: %v", err)
		}
		if err := checkCheckpointText(n.Text); err != nil {
			return err
		}
		signedByLog := false
		for _, sig := range n.Sigs {
			if sig.Name == logKey.Name() && sig.Hash == logKey.KeyHash() {
				signedByLog = true
				fmt.Printf("signed %s %08x\n", sig.Name, sig.Hash)
				continue
			}
			// A verified cosignature: 4-byte key hash, then the 8-byte time.
			raw, _ := base64.StdEncoding.DecodeString(sig.Base64)
			fmt.Printf("cosigned %s %08x at %d\n", sig.Name, sig.Hash, binary.BigEndian.Uint64(raw[4:12]))
		}
		if !signedByLog {
			return errors.New("the log's key did not sign the note")
		}
		return nil
	})
	register("open-notes", "<log vkey> [<witness vkey>...] < base64 notes, one a line", func(args []string) error {
		verifiers, err := verifiersFor(args)
		if err != nil {
			return err
		}
		known := note.VerifierList(verifiers...)
		scanner := bufio.NewScanner(os.Stdin)
		scanner.Buffer(nil, 1<<20)
		for scanner.Scan() {
			msg, err := base64.StdEncoding.DecodeString(scanner.Text())
			if err != nil {
				return err
			}
			fmt.Println(openResult(msg, known))
		}
		return scanner.Err()
	})
	register("sign-note", "<skey> < text", func(args []string) error {
		if len(args) != 1 {
			return errors.New("usage: sign-note <skey> < text")
		}
		signer, err := note.NewSigner(args[0])
		if err != nil {
			return fmt.Errorf("signer key: %v", err)
		}
		text, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		signed, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			return fmt.Errorf("note.Sign: %v", err)
		}
		_, err = os.Stdout.Write(signed)
		return err
	})
}

// verifiersFor reads the log's Ed25519 vkey, then any witnesses' cosignature/v1 vkeys.
func verifiersFor(args []string) ([]note.Verifier, error) {
	if len(args) < 1 {
		return nil, errors.New("give the log's vkey, then any witness vkeys")
	}
	logKey, err := note.NewVerifier(args[0])
	if err != nil {
		return nil, fmt.Errorf("log key: %v", err)
	}
	verifiers := []note.Verifier{logKey}
	for _, vkey := range args[1:] {
		v, err := newCosigV1(vkey)
		if err != nil {
			return nil, fmt.Errorf("witness key %q: %v", vkey, err)
		}
		verifiers = append(verifiers, v)
	}
	return verifiers, nil
}

// openResult is "ok" and the names whose signatures verified, or "reject"; a note that no known
// key signed is "ok" with no names, since our openNote leaves that decision to its caller.
func openResult(msg []byte, known note.Verifiers) string {
	n, err := note.Open(msg, known)
	var unverified *note.UnverifiedNoteError
	if err != nil && !errors.As(err, &unverified) {
		return "reject"
	}
	names := []string{}
	if n != nil {
		for _, sig := range n.Sigs {
			names = append(names, sig.Name)
		}
	}
	return strings.TrimSpace("ok " + strings.Join(names, " "))
}

// checkCheckpointText reads a c2sp.org/tlog-checkpoint text (x/mod predates the format):
// origin, decimal size without leading zeros, base64 of a 32-byte root.
func checkCheckpointText(text string) error {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || lines[0] == "" {
		return fmt.Errorf("not a checkpoint: %q", text)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return fmt.Errorf("checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return fmt.Errorf("checkpoint root %q", lines[2])
	}
	fmt.Printf("checkpoint %s %d %s\n", lines[0], size, lines[2])
	return nil
}

// cosigV1 verifies c2sp.org/tlog-cosignature Ed25519 cosignatures (key type 0x04), which x/mod
// does not know; note.Open still does the framing, matching and duplicate handling.
type cosigV1 struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func newCosigV1(vkey string) (*cosigV1, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, errors.New("not name+hash+base64")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, errors.New("not a 0x04 Ed25519 key")
	}
	sum := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	hash := binary.BigEndian.Uint32(sum[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		return nil, errors.New("key hash does not match the key")
	}
	return &cosigV1{parts[0], hash, ed25519.PublicKey(key[1:])}, nil
}

func (v *cosigV1) Name() string    { return v.name }
func (v *cosigV1) KeyHash() uint32 { return v.hash }

func (v *cosigV1) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, msg)
	return ed25519.Verify(v.pub, []byte(signed), sig[8:])
}
