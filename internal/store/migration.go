package store

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one schema migration file of a driver: migrations/NNN_name.sql,
// whose number is its version.
type Migration struct {
	Version int
	Name    string // the file name, without the directory
	File    string // the path inside the driver's file system
}

// Migrations lists the files migrations/*.sql of fsys in version order. A
// file without a version number, or two files with the same one, is an
// error: a driver records applied versions, so a second file with a
// version already applied would be skipped without a word and its change
// silently missing from every database.
func Migrations(fsys fs.FS) ([]Migration, error) {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	out := make([]Migration, 0, len(files))
	byVersion := map[int]string{}
	for _, file := range files {
		name := strings.TrimPrefix(file, "migrations/")
		num, _, _ := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s does not start with a version number (NNN_name.sql)", name)
		}
		if other, ok := byVersion[version]; ok {
			return nil, fmt.Errorf("migrations %s and %s have the same version %d", other, name, version)
		}
		byVersion[version] = name
		out = append(out, Migration{Version: version, Name: name, File: file})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}
