package dnsprovider

import (
	"slices"
)

// CheckCredentials checks that creds has every required field with a
// non-empty value and no field outside required and optional. It returns
// a *CredentialError naming the first bad field (missing ones first, then
// unknown ones in sorted order). Provider packages use it for their
// map-based constructors.
func CheckCredentials(provider string, creds map[string]string, required, optional []string) error {
	expected := append(slices.Clone(required), optional...)
	for _, f := range required {
		v, ok := creds[f]
		switch {
		case !ok:
			return &CredentialError{Provider: provider, Field: f, Problem: "is missing", Expected: expected}
		case v == "":
			return &CredentialError{Provider: provider, Field: f, Problem: "is empty", Expected: expected}
		}
	}
	keys := make([]string, 0, len(creds))
	for k := range creds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(expected, k) {
			return &CredentialError{Provider: provider, Field: k, Problem: "is not a " + provider + " credential", Expected: expected}
		}
	}
	return nil
}
