package validate

// condition is an error value for a condition that the custom package
// reports too (a key that does not match, no certificate, a chain too
// long). The two packages import nothing of each other, so each declares
// its own value; condition makes them one for errors.Is: an error matches
// any target that names the same condition (see Condition). The root
// package re-exports one name for each.
type condition struct{ code, msg string }

func (c *condition) Error() string { return c.msg }

// Condition names the condition, such as "key_mismatch".
func (c *condition) Condition() string { return c.code }

// Is reports whether target names the same condition.
func (c *condition) Is(target error) bool {
	t, ok := target.(interface{ Condition() string })
	return ok && t.Condition() == c.code
}
