package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// "tlog-proof" checks a receipt's c2sp.org/tlog-proof@v1 text (stdin) for a leaf (hex): the
// checkpoint note opens under the log's key with x/mod's note.Open (the witnesses' cosignatures
// verified as in "notes"), and x/mod's tlog.CheckRecord proves the leaf at the index in it.
func init() {
	register("tlog-proof", "<leaf hex> <log vkey> [<witness vkey>...] < tlog-proof", func(args []string) error {
		if len(args) < 2 {
			return errors.New("give the leaf's bytes in hex, the log's vkey, then any witness vkeys")
		}
		leaf, err := hex.DecodeString(strings.TrimPrefix(args[0], "0x"))
		if err != nil {
			return fmt.Errorf("leaf: %v", err)
		}
		verifiers, err := verifiersFor(args[1:])
		if err != nil {
			return err
		}
		input, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		index, proof, msg, err := splitTlogProof(string(input))
		if err != nil {
			return err
		}
		n, err := note.Open([]byte(msg), note.VerifierList(verifiers...))
		if err != nil {
			return fmt.Errorf("note.Open: %v", err)
		}
		size, root, err := checkpointOf(n.Text)
		if err != nil {
			return err
		}
		if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(leaf)); err != nil {
			return fmt.Errorf("tlog.CheckRecord: %v", err)
		}
		fmt.Printf("included %d in %d\n", index, size)
		for _, sig := range n.Sigs {
			if sig.Name == verifiers[0].Name() && sig.Hash == verifiers[0].KeyHash() {
				fmt.Printf("signed %s\n", sig.Name)
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(sig.Base64)
			fmt.Printf("cosigned %s at %d\n", sig.Name, binary.BigEndian.Uint64(raw[4:12]))
		}
		return nil
	})
}

// splitTlogProof reads the header, an optional extra line, the index, the proof's hashes up to
// the blank line, and the checkpoint note after it, following the spec's text rather than ours.
func splitTlogProof(text string) (int64, tlog.RecordProof, string, error) {
	head, msg, found := strings.Cut(text, "\n\n")
	if !found {
		return 0, nil, "", errors.New("tlog-proof: no blank line before the checkpoint")
	}
	lines := strings.Split(head, "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		return 0, nil, "", fmt.Errorf("tlog-proof: header %q", lines[0])
	}
	lines = lines[1:]
	if len(lines) > 0 && strings.HasPrefix(lines[0], "extra ") {
		lines = lines[1:]
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "index ") {
		return 0, nil, "", errors.New("tlog-proof: no index line")
	}
	field := strings.TrimPrefix(lines[0], "index ")
	index, err := strconv.ParseInt(field, 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != field {
		return 0, nil, "", fmt.Errorf("tlog-proof: index %q", field)
	}
	var proof tlog.RecordProof
	for _, line := range lines[1:] {
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(raw) != tlog.HashSize {
			return 0, nil, "", fmt.Errorf("tlog-proof: hash %q", line)
		}
		var h tlog.Hash
		copy(h[:], raw)
		proof = append(proof, h)
	}
	return index, proof, msg, nil
}

// checkpointOf is the size and root of a checkpoint text, checked by checkCheckpointText.
func checkpointOf(text string) (int64, tlog.Hash, error) {
	var root tlog.Hash
	if err := checkCheckpointText(text); err != nil {
		return 0, root, err
	}
	lines := strings.Split(text, "\n")
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, root, fmt.Errorf("checkpoint size %q", lines[1])
	}
	raw, _ := base64.StdEncoding.DecodeString(lines[2])
	copy(root[:], raw)
	return size, root, nil
}
