package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// "tiles" reads a log the way a C2SP tile client does, from its published tiles only, and checks
// every answer against x/mod's own computation:
//   - the entry bundles, hashed and stored by tlog.StoredHashes, give the tree hash of <size>;
//   - every tile of that size equals tlog.ReadTileData's bytes (tlog.TileHashReader is not used:
//     x/mod 0.7.0's does not authenticate every child tile);
//   - paths beyond the size, and paths that are not canonical, are 404;
//   - the proof endpoints' answers pass tlog.CheckRecord/CheckTree and equal ProveRecord/ProveTree.
//
// <size> must be the published size (the newest anchored checkpoint's): that is what makes the
// tiles just past it a must-404.
func init() {
	register("tiles", "<base URL> <published size> <root, hex or base64> [<older size>...]", checkTiles)
}

func checkTiles(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: tiles <base URL> <size> <root> [<older size>...]")
	}
	base := strings.TrimRight(args[0], "/")
	size, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || size < 1 {
		return fmt.Errorf("bad size %q", args[1])
	}
	root, err := tilesParseHash(args[2])
	if err != nil {
		return err
	}
	stored, err := tilesRebuild(base, size)
	if err != nil {
		return err
	}
	hr := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			if x < 0 || x >= int64(len(stored)) {
				return nil, fmt.Errorf("stored hash %d is beyond the tree", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	th, err := tlog.TreeHash(size, hr)
	if err != nil {
		return err
	}
	if th != root {
		return fmt.Errorf("the entry bundles hash to %x, the root is %x", th[:], root[:])
	}
	fmt.Printf("ok entries: %d entries hash to the root\n", size)
	if err := tilesCompare(base, size, hr); err != nil {
		return err
	}
	if err := tilesMust404(base, size); err != nil {
		return err
	}
	olds := []int64{1, size / 2, size - 1, size}
	for _, a := range args[3:] {
		old, err := strconv.ParseInt(a, 10, 64)
		if err != nil || old < 1 || old > size {
			return fmt.Errorf("bad older size %q", a)
		}
		olds = append(olds, old)
	}
	if err := tilesCheckConsistency(base, size, root, olds, hr); err != nil {
		return err
	}
	return tilesCheckInclusion(base, size, root, []int64{0, size / 3, size - 1}, stored, hr)
}

// tilesRebuild downloads every entry bundle of the tree and returns all its stored hashes.
func tilesRebuild(base string, size int64) ([]tlog.Hash, error) {
	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n := int64(0); n*256 < size; n++ {
		w := 256
		if size-n*256 < 256 {
			w = int(size - n*256)
		}
		path := strings.Replace(tlog.Tile{H: 8, L: -1, N: n, W: w}.Path(), "tile/8/data/", "tile/entries/", 1)
		body, err := tilesGet(base, path)
		if err != nil {
			return nil, err
		}
		entries, err := tilesParseBundle(body)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(entries) != w {
			return nil, fmt.Errorf("%s: %d entries, want %d", path, len(entries), w)
		}
		for i, e := range entries {
			hs, err := tlog.StoredHashes(n*256+int64(i), e, hr)
			if err != nil {
				return nil, err
			}
			stored = append(stored, hs...)
		}
	}
	return stored, nil
}

func tilesParseBundle(b []byte) ([][]byte, error) {
	var entries [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("truncated length prefix")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, fmt.Errorf("truncated entry")
		}
		entries = append(entries, b[2:2+n])
		b = b[2+n:]
	}
	return entries, nil
}

// tilesCompare fetches every tile a C2SP client reads for the size (the full ones and, per level,
// the partial one of this size) and one other partial width, which is a prefix and so also served.
func tilesCompare(base string, size int64, hr tlog.HashReader) error {
	count := 0
	for _, t := range tlog.NewTiles(8, 0, size) {
		if t.W != 256 && int64(t.W) != (size>>(8*uint(t.L)))%256 && t.W != 1 {
			continue // sumdb publishes every width; a C2SP log need only serve those of its sizes
		}
		want, err := tlog.ReadTileData(t, hr)
		if err != nil {
			return err
		}
		path := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		got, err := tilesGet(base, path)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("tile %s differs from x/mod's", path)
		}
		count++
	}
	fmt.Printf("ok tiles: %d tiles equal x/mod's\n", count)
	return nil
}

// tilesMust404 asks for tiles just past the size and for non-canonical names of existing tiles.
func tilesMust404(base string, size int64) error {
	last := tlog.Tile{H: 8, L: 0, N: size / 256, W: int(size%256) + 1}
	if last.W == 257 {
		last = tlog.Tile{H: 8, L: 0, N: size / 256, W: 1}
	}
	past := strings.Replace(last.Path(), "tile/8/", "tile/", 1)
	paths := []string{
		past,
		strings.Replace(past, "tile/0/", "tile/entries/", 1),
		"tile/0/" + strings.Split(strings.TrimPrefix(past, "tile/0/"), ".")[0] + ".p/256",
		"tile/0/x000/000",
		"tile/00/000",
		"tile/0/0",
		"tile/0/000.p/01",
		"tile/0/000.p/0",
		"tile/8/0/000",
		"tile/data/000",
		"tile/7/000.p/1",
		"tile/64/000",
	}
	if size >= 256 {
		paths = append(paths, "tile/0/000.p/256")
	}
	for _, p := range paths {
		resp, err := http.Get(base + "/" + p)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			return fmt.Errorf("%s answered %d, want 404", p, resp.StatusCode)
		}
		if strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			return fmt.Errorf("%s: a 404 must not be cached as immutable", p)
		}
	}
	fmt.Printf("ok not found: %d paths past the size or not canonical\n", len(paths))
	return nil
}

type tilesConsistency struct {
	From, To         int64
	FromRoot, ToRoot string
	Proof            []string
}

func tilesCheckConsistency(base string, size int64, root tlog.Hash, olds []int64, hr tlog.HashReader) error {
	for _, old := range olds {
		var got tilesConsistency
		if err := tilesGetJSON(base, fmt.Sprintf("api/v1/ledger/proofs/consistency?from=%d&to=%d", old, size), &got); err != nil {
			return err
		}
		oldRoot, err := tlog.TreeHash(old, hr)
		if err != nil {
			return err
		}
		proof, err := tilesParseHashes(got.Proof)
		if err != nil {
			return err
		}
		if err := tilesSameHash("fromRoot", got.FromRoot, oldRoot); err != nil {
			return err
		}
		if err := tilesSameHash("toRoot", got.ToRoot, root); err != nil {
			return err
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), size, root, old, oldRoot); err != nil {
			return fmt.Errorf("consistency %d→%d: CheckTree: %v", old, size, err)
		}
		want, err := tlog.ProveTree(size, old, hr)
		if err != nil {
			return err
		}
		if !tilesEqualHashes(proof, want) {
			return fmt.Errorf("consistency %d→%d differs from x/mod's ProveTree", old, size)
		}
	}
	fmt.Printf("ok consistency: %d proofs to %d pass CheckTree and equal ProveTree\n", len(olds), size)
	return nil
}

type tilesInclusion struct {
	Index, Size        int64
	LeafHash, RootHash string
	Proof              []string
}

func tilesCheckInclusion(base string, size int64, root tlog.Hash, indexes []int64, stored []tlog.Hash, hr tlog.HashReader) error {
	for _, index := range indexes {
		leaf := stored[tlog.StoredHashIndex(0, index)]
		for _, query := range []string{
			fmt.Sprintf("index=%d&size=%d", index, size),
			fmt.Sprintf("hash=%x&size=%d", leaf[:], size),
		} {
			var got tilesInclusion
			if err := tilesGetJSON(base, "api/v1/ledger/proofs/inclusion?"+query, &got); err != nil {
				return err
			}
			if got.Index != index || got.Size != size {
				return fmt.Errorf("inclusion %s: answered index %d size %d", query, got.Index, got.Size)
			}
			if err := tilesSameHash("leafHash", got.LeafHash, leaf); err != nil {
				return err
			}
			if err := tilesSameHash("rootHash", got.RootHash, root); err != nil {
				return err
			}
			proof, err := tilesParseHashes(got.Proof)
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(tlog.RecordProof(proof), size, root, index, leaf); err != nil {
				return fmt.Errorf("inclusion %s: CheckRecord: %v", query, err)
			}
			want, err := tlog.ProveRecord(size, index, hr)
			if err != nil {
				return err
			}
			if !tilesEqualHashes(proof, want) {
				return fmt.Errorf("inclusion %s differs from x/mod's ProveRecord", query)
			}
		}
	}
	fmt.Printf("ok inclusion: %d leaves, by index and by hash, pass CheckRecord and equal ProveRecord\n", len(indexes))
	return nil
}

func tilesGet(base, path string) ([]byte, error) {
	resp, err := http.Get(base + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s answered %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if strings.HasPrefix(path, "tile/") {
		if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
			return nil, fmt.Errorf("%s: Content-Type %q", path, ct)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			return nil, fmt.Errorf("%s: Cache-Control %q is not immutable", path, cc)
		}
	}
	return body, nil
}

func tilesGetJSON(base, path string, v interface{}) error {
	body, err := tilesGet(base, path)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

// tilesParseHash reads a hash as 0x hex, bare hex or standard base64.
func tilesParseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(b) != len(h) {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func tilesParseHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := tilesParseHash(s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func tilesSameHash(name, got string, want tlog.Hash) error {
	h, err := tilesParseHash(got)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if h != want {
		return fmt.Errorf("%s is %s, x/mod computes %x", name, got, want[:])
	}
	return nil
}

func tilesEqualHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
