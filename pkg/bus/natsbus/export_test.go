package natsbus

// DirectSubscriptions tells tests how many subscriptions bypassed the local
// ring.
func (f *Fanout) DirectSubscriptions() int64 { return f.direct.Load() }
