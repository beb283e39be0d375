//go:build !linux

package watch

// scanDir lists the folder path and calls fn for every entry that skip does
// not refuse, with its type and, for a regular file, its metadata.
func scanDir(path string, _ []byte, skip func(string) bool, fn func(name string, e entryInfo)) error {
	return scanDirPortable(path, skip, fn)
}

// statInfo is the metadata of the file at path, links followed.
func statInfo(path string) (entryInfo, error) { return statInfoPortable(path) }
