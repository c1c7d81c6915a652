// Command interop checks Prizeledger's transparency-log formats with golang.org/x/mod/sumdb/note
// and sumdb/tlog, the Go checksum database's own code, which nobody on this project wrote.
//
// Each check is a subcommand registered by its own file (see register). A check prints what it
// verified and exits 0, or prints "FAIL: <reason>" and exits 1.
package main

import (
	"fmt"
	"os"
	"sort"
)

type command struct {
	usage string
	run   func(args []string) error
}

var commands = map[string]command{}

// register is called from the init function of each check's file.
func register(name, usage string, run func(args []string) error) {
	commands[name] = command{usage, run}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown check %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		fmt.Printf("FAIL: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: interop <check> [arguments]")
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "  %s %s\n", name, commands[name].usage)
	}
}
