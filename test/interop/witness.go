package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Sizes of the two checkpoints the "witness" check submits; its tree has witnessLeaves leaves,
// "leaf 0" to "leaf 6", which the test that runs it anchors on chain first.
const (
	witnessFirstSize = 3
	witnessLeaves    = 7
)

// "witness" drives a fresh Prizeledger witness (c2sp.org/tlog-witness) with requests built by
// x/mod alone: checkpoints signed by note.Sign, consistency proofs from tlog.ProveTree. It checks
// that the returned cosignatures verify (cosignature/v1, through note.Open), that a wrong old
// size gets 409 with text/x.tlog.size and the witness's size, and that a broken proof gets 422.
func init() {
	register("witness", "<witness url> <log skey> <log vkey> <witness vkey>", func(args []string) error {
		if len(args) != 4 {
			return errors.New("usage: witness <witness url> <log skey> <log vkey> <witness vkey>")
		}
		signer, err := note.NewSigner(args[1])
		if err != nil {
			return fmt.Errorf("log skey: %v", err)
		}
		logKey, err := note.NewVerifier(args[2])
		if err != nil {
			return fmt.Errorf("log vkey: %v", err)
		}
		witnessKey, err := newCosigV1(args[3])
		if err != nil {
			return fmt.Errorf("witness vkey: %v", err)
		}
		w := &witnessClient{url: strings.TrimSuffix(args[0], "/"), signer: signer}
		w.verifiers = note.VerifierList(logKey, witnessKey)
		w.witnessName = witnessKey.Name()
		if err := w.buildTree(); err != nil {
			return err
		}
		return w.run()
	})
}

type witnessClient struct {
	url         string
	signer      note.Signer
	verifiers   note.Verifiers
	witnessName string
	hashes      []tlog.Hash
}

func (w *witnessClient) buildTree() error {
	reader := w.reader()
	for n := int64(0); n < witnessLeaves; n++ {
		stored, err := tlog.StoredHashes(n, []byte(fmt.Sprintf("leaf %d", n)), reader)
		if err != nil {
			return err
		}
		w.hashes = append(w.hashes, stored...)
	}
	return nil
}

func (w *witnessClient) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			out[i] = w.hashes[index]
		}
		return out, nil
	})
}

// signedCheckpoint is the log's checkpoint note of the first size leaves, signed by x/mod.
func (w *witnessClient) signedCheckpoint(size int64) ([]byte, error) {
	root, err := tlog.TreeHash(size, w.reader())
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("%s\n%d\n%s\n", w.signer.Name(), size, base64.StdEncoding.EncodeToString(root[:]))
	return note.Sign(&note.Note{Text: text}, w.signer)
}

// post sends an add-checkpoint from old to size; breakProof flips a bit of the proof's first hash.
func (w *witnessClient) post(old, size int64, breakProof bool) (int, string, string, []byte, error) {
	signed, err := w.signedCheckpoint(size)
	if err != nil {
		return 0, "", "", nil, err
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	if old > 0 {
		proof, err := tlog.ProveTree(size, old, w.reader())
		if err != nil {
			return 0, "", "", nil, err
		}
		for i, hash := range proof {
			if i == 0 && breakProof {
				hash[0] ^= 1
			}
			fmt.Fprintf(&body, "%s\n", base64.StdEncoding.EncodeToString(hash[:]))
		}
	}
	body.WriteString("\n")
	body.Write(signed)
	client := &http.Client{Timeout: 30 * time.Second}
	response, err := client.Post(w.url+"/add-checkpoint", "text/plain", &body)
	if err != nil {
		return 0, "", "", nil, err
	}
	defer response.Body.Close()
	answer, err := io.ReadAll(response.Body)
	if err != nil {
		return 0, "", "", nil, err
	}
	return response.StatusCode, response.Header.Get("Content-Type"), string(answer), signed, nil
}

// cosigned submits a checkpoint that must be cosigned and opens the note with the answer appended.
func (w *witnessClient) cosigned(old, size int64) error {
	status, contentType, answer, signed, err := w.post(old, size, false)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("old %d size %d: HTTP %d %q, want 200", old, size, status, answer)
	}
	if contentType != "text/plain; charset=utf-8" {
		return fmt.Errorf("old %d size %d: Content-Type %q", old, size, contentType)
	}
	n, err := note.Open(append(signed, answer...), w.verifiers)
	if err != nil {
		return fmt.Errorf("note.Open with the cosignature: %v", err)
	}
	for _, sig := range n.Sigs {
		if sig.Name == w.witnessName {
			fmt.Printf("cosigned %d by %s\n", size, sig.Name)
			return nil
		}
	}
	return fmt.Errorf("old %d size %d: the answer %q holds no cosignature by %s", old, size, answer, w.witnessName)
}

func (w *witnessClient) refused(old, size int64, breakProof bool, want int) (string, string, error) {
	status, contentType, answer, _, err := w.post(old, size, breakProof)
	if err != nil {
		return "", "", err
	}
	if status != want {
		return "", "", fmt.Errorf("old %d size %d: HTTP %d %q, want %d", old, size, status, answer, want)
	}
	fmt.Printf("refused old %d size %d: %d\n", old, size, status)
	return contentType, answer, nil
}

func (w *witnessClient) run() error {
	if err := w.cosigned(0, witnessFirstSize); err != nil {
		return err
	}
	contentType, answer, err := w.refused(0, witnessLeaves, false, http.StatusConflict)
	if err != nil {
		return err
	}
	if contentType != "text/x.tlog.size" || answer != fmt.Sprintf("%d\n", witnessFirstSize) {
		return fmt.Errorf("409 answer: Content-Type %q, body %q", contentType, answer)
	}
	if _, _, err := w.refused(witnessFirstSize, witnessLeaves, true, http.StatusUnprocessableEntity); err != nil {
		return err
	}
	return w.cosigned(witnessFirstSize, witnessLeaves)
}
