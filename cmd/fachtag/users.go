package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/fachtag/fachtag/internal/auth"
)

// runUser handles `fachtag user add --email E --role R [--event SLUG]`.
func runUser(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("user needs a subcommand: add")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "e-mail address of the account")
	role := fs.String("role", "", "admin, organiser or checkin")
	slug := fs.String("event", "", "make the account a member of this event")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError("user add: " + err.Error())
	}
	if *email == "" || *role == "" {
		return usageError("user add needs --email and --role")
	}
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	u, password, err := auth.New(pool, auth.Options{}).CreateUser(ctx, *email, *role, *slug)
	if err != nil {
		return err
	}
	fmt.Printf("created %s account %s (id %d)\n", u.Role, u.Email, u.ID)
	fmt.Printf("one-time password: %s\n", password)
	fmt.Println("It is shown only now. Log in at /org/login and choose your own password right away.")
	return nil
}

// runToken handles `fachtag token create --email E [--name N]` and
// `fachtag token revoke --id N`.
func runToken(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		return usageError("token needs a subcommand: create or revoke")
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "account the token acts for")
	name := fs.String("name", "", "what the token is for")
	id := fs.String("id", "", "id of the token to revoke")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError("token " + args[0] + ": " + err.Error())
	}
	if args[0] == "create" && *email == "" {
		return usageError("token create needs --email")
	}
	n, idErr := strconv.ParseInt(*id, 10, 64)
	if args[0] == "revoke" && idErr != nil {
		return usageError("token revoke needs --id N")
	}
	pool, err := openMigrated(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	svc := auth.New(pool, auth.Options{})
	if args[0] == "revoke" {
		if err := svc.RevokeToken(ctx, n); err != nil {
			return err
		}
		fmt.Printf("token %d revoked\n", n)
		return nil
	}
	tokenID, token, err := svc.CreateToken(ctx, *email, *name)
	if err != nil {
		return err
	}
	fmt.Printf("token id %d for %s (revoke with: fachtag token revoke --id %d)\n", tokenID, *email, tokenID)
	fmt.Println(token)
	return nil
}
