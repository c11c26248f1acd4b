package workflow

// HostProbe exposes the expression host type to the external tests.
func HostProbe() host { return host{} }
