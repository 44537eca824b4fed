package store

import (
	"fmt"
	"path/filepath"
	"strings"
)

// On-disk layout of FS, below its root directory:
//
//	hosts/<encoded name>/record.json  one record
//	blobs/<seg>+/<seg>+/<last seg>    one blob, key "<seg>/<seg>/<last seg>"
//	locks/<encoded name>.lock         one held lock
//
// Every name the layout produces from a valid record name or blob key is
// free of '+' except where noted below, so the reserved forms cannot collide
// with real names:
//   - The wildcard label "*" is stored as "+" ("*.example.com" becomes
//     "+.example.com"): '*' is not portable in file names, and no hostname
//     label can be "+".
//   - Blob key directories carry a '+' suffix so that "a" (a file) and
//     "a/b" (a file in directory "a+") can coexist.
//   - Names starting with "+tmp-" are temp files of an atomic write and
//     "+del-" names are host directories being deleted. Readers ignore both;
//     NewFS removes leftovers of a crash.
const (
	hostsDir      = "hosts"
	blobsDir      = "blobs"
	locksDir      = "locks"
	recordFile    = "record.json"
	tempPrefix    = "+tmp-"
	deletedPrefix = "+del-"
	wildcardEnc   = "+."
	blobDirSuffix = "+"
)

// encodeName maps a valid record name to its host directory name.
func encodeName(name string) string {
	if strings.HasPrefix(name, "*.") {
		return wildcardEnc + name[2:]
	}
	return name
}

// decodeName maps a host directory name back to the record name, and
// reports false for anything encodeName cannot have produced.
func decodeName(enc string) (string, bool) {
	name := enc
	if strings.HasPrefix(enc, wildcardEnc) {
		name = "*." + enc[len(wildcardEnc):]
	}
	if checkName(name) != nil || encodeName(name) != enc {
		return "", false // e.g. a directory literally named "*.example.com"
	}
	return name, true
}

// hostDir returns the directory of the record called name, checking name.
func (s *FS) hostDir(name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	return s.inside(filepath.Join(s.dir, hostsDir, encodeName(name)))
}

// blobPath returns the file of the blob called key, checking key.
func (s *FS) blobPath(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	segs := strings.Split(key, "/")
	for i := range segs[:len(segs)-1] {
		segs[i] += blobDirSuffix
	}
	return s.inside(filepath.Join(s.dir, blobsDir, filepath.Join(segs...)))
}

// inside guards against any path that would leave the store's directory;
// validation already excludes them, this is defence in depth.
func (s *FS) inside(p string) (string, error) {
	if !strings.HasPrefix(p, s.dir+string(filepath.Separator)) {
		return "", fmt.Errorf("%w: %s resolves outside the store directory", ErrInvalidName, truncate(p))
	}
	return p, nil
}
