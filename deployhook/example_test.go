package deployhook_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// Keep certbot-style files for nginx and reload it after changes. In a
// server, run go h.Run(ctx): it syncs every lineage, then follows the
// Manager, running the command once per batch of changes.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "certs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	h, err := deployhook.New(deployhook.Config{
		Manager: m,
		Dir:     dir,                                        // such as /etc/certs
		Command: `echo "reload for $CERTS_RENEWED_DOMAINS"`, // such as nginx -t && nginx -s reload
		Timeout: time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	in, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Import(ctx, "shop.example.com", in, certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	r := h.Flush(ctx) // Run does this Config.Debounce after a change
	fmt.Print(r.Output)
	files, err := filepath.Glob(filepath.Join(dir, "live", "shop.example.com", "*.pem"))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// reload for shop.example.com
	// cert.pem
	// chain.pem
	// fullchain.pem
	// privkey.pem
}
