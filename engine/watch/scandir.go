package watch

import (
	"io/fs"
	"os"
)

// scanDirPortable is scanDir through package os, for the systems without a
// faster way; it knows no inode numbers and change times.
func scanDirPortable(path string, skip func(string) bool, fn func(name string, e entryInfo)) error {
	entries, err := readDir(path)
	if err != nil {
		return err
	}
	for _, d := range entries {
		name := d.Name()
		if skip(name) {
			continue
		}
		e := entryInfo{typ: d.Type()}
		if e.typ.IsRegular() {
			info, err := d.Info()
			if err != nil {
				continue // removed meanwhile: as if never listed
			}
			e = infoOf(info)
		} else if e.typ&(fs.ModeDir|fs.ModeSymlink) == 0 {
			e.typ = fs.ModeIrregular
		}
		fn(name, e)
	}
	return nil
}

// statInfoPortable is statInfo through package os.
func statInfoPortable(path string) (entryInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return entryInfo{}, err
	}
	return infoOf(info), nil
}

func infoOf(info fs.FileInfo) entryInfo {
	typ := info.Mode().Type()
	if typ&(fs.ModeDir|fs.ModeSymlink) == 0 && !info.Mode().IsRegular() {
		typ = fs.ModeIrregular
	}
	return entryInfo{typ: typ, size: info.Size(), mtime: info.ModTime().UnixNano()}
}
