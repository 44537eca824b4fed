package certs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/custom"
	"github.com/certs-dev/certs/validate"
)

// TestConditionsSharedWithValidate: the conditions both leaf packages
// report are one for errors.Is, whichever package's value an error wraps.
func TestConditionsSharedWithValidate(t *testing.T) {
	for _, pair := range [][2]error{
		{custom.ErrKeyMismatch, validate.ErrKeyMismatch},
		{custom.ErrNoCertificate, validate.ErrNoCertificate},
		{custom.ErrChainTooLong, validate.ErrChainTooLong},
	} {
		a, b := fmt.Errorf("wrapped: %w", pair[0]), fmt.Errorf("wrapped: %w", pair[1])
		require.ErrorIs(t, a, pair[1])
		require.ErrorIs(t, b, pair[0])
	}
	require.False(t, errors.Is(custom.ErrKeyMismatch, validate.ErrNoCertificate), "different conditions stay apart")
	require.False(t, errors.Is(custom.ErrKeyMismatch, custom.ErrInvalidPEM))
}
