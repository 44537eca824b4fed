package api

import (
	"bytes"
	_ "embed"
	"net/http"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the OpenAPI 3.1 document of the API (YAML), which the
// handler serves at GET /openapi.yaml.
func OpenAPI() []byte { return bytes.Clone(openapiYAML) }

// serveOpenAPI answers GET /openapi.yaml, without credentials.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openapiYAML)
}
