// Package core is Callgate's call-center engine: agents, queues (ACD),
// campaigns and the dialer, leads, calls, dispositions, callbacks, DNC,
// recordings, forms, the queue log and CDR. It owns all state and takes
// every decision; it knows no wire format.
//
// Layout:
//   - model.go      persisted records (the gorm store maps them)
//   - engine.go     the Engine, its event loop, persistence helpers
//   - effects.go    decide under the lock, act outside it: effects and
//     their executors; lanes.go orders them per channel, bridge and store
//   - agents.go     login/logout, pauses, the agent state machine
//   - acd.go        queues: strategies, penalties, offers, connecting calls
//   - calls.go      PBX events, inbound routing, call end, manual dial
//   - control.go    in-call control: hold, park, transfer, DTMF, recording,
//     playback, snoop, channel variables
//   - dialer.go     campaign pacing (progressive, predictive), lead retries
//   - leads.go      leads, DNC, dispositions, callbacks, screen commands
//   - reports.go    figures computed from the queue log
//   - events.go     typed domain events; bus.go the in-process Bus
//   - telephony.go  the PBX port; store.go the Store port
//
// Ports are implemented in pkg/: pkg/telephony/{ari,sim}, pkg/store,
// pkg/bus/natsbus. Dialect adapters in api/ call Engine methods and
// subscribe to the Bus.
//
// Concurrency: one mutex guards all live state, and nothing else: no PBX,
// database or bus round trip happens while it is held. A command, a PBX
// event or a timer decides under the lock and appends effects (PBX
// commands, store writes, publishes); unlock hands them to ordered lanes
// (effects.go). Store writes and events share one ordered lane; PBX
// commands are ordered per channel and bridge, so a stalled originate
// delays only what touches the same call. A command answers once its
// effects are done; an effect whose failure changes state takes the lock
// again to decide the new state. PBX events are queued without bound by
// the telephony side and applied in order by one goroutine, which reads
// what it needs before taking the lock, so the PBX connection never waits
// on the engine and a slow database never stops the event path.
package core
