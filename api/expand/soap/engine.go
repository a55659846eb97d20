package soap

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/callgate/callgate/core"
)

// Dialect names eXpand's credentials (core.APIUser.Dialect).
const Dialect = "expand"

// Engine is the part of *core.Engine the operations drive.
type Engine interface {
	APIUser(ctx context.Context, dialect, user string) (core.APIUser, error)
	Credentials() *core.Credentials
	Originate(ctx context.Context, req core.OriginationRequest) (core.OriginationJob, error)
	Origination(ctx context.Context, id string) (core.OriginationJob, error)
	CancelOrigination(ctx context.Context, id string) error
	Agents() []core.Agent
	AgentByNumber(ctx context.Context, number string) (core.Agent, error)
	FindAgent(ctx context.Context, user string) (core.Agent, error)
	Session(user string) (core.AgentSession, bool)
	AgentQueues(user string) []string
	PauseCodes() []core.PauseCode
	Phones(ctx context.Context) ([]core.Phone, error)
	Login(ctx context.Context, user string, opt core.LoginOptions) error
	Logout(ctx context.Context, user, reason string) (bool, error)
	Pause(ctx context.Context, user, code string) error
	Unpause(ctx context.Context, user string) error
	CDRByUniqueID(ctx context.Context, uniqueID string) ([]core.CDR, error)
	CDRsBetween(ctx context.Context, from, to time.Time) ([]core.CDR, error)
	CallByUniqueID(ctx context.Context, uid string) (core.Call, error)
	FindRecordings(ctx context.Context, q core.RecordingQuery) ([]core.Recording, error)
	RecordingAudio(ctx context.Context, id uint64, format string) (io.ReadCloser, core.Recording, error)
	Sessions() []core.AgentSession
	Queues() []core.Queue
	QueueMembers(name string) []core.QueueMember
	ActiveCalls() []core.Call
	QueuesStats(ctx context.Context, queues []string, since, until time.Time) (map[string]core.QueueStats, error)
	SendSMS(ctx context.Context, req core.SMSRequest) (core.SMS, error)
	SMSStatus(ctx context.Context, id uint) (core.SMS, error)
	QueueActivity(ctx context.Context, queue, agent string, from, to time.Time) ([]core.ActivityRow, error)
	AgentSummaries(ctx context.Context, from, to time.Time) ([]core.AgentSummary, error)
	AgentActivity(ctx context.Context, user string, since, until time.Time) (core.AgentActivity, error)
	AgentSessionRows(ctx context.Context, agent string, from, to time.Time) ([]core.QueueLogEntry, error)
	Now() time.Time
}

// EngineOps implements Operations on the engine.
type EngineOps struct {
	eng Engine
	log *slog.Logger
}

// NewOperations returns the engine-backed operations.
func NewOperations(eng Engine, log *slog.Logger) *EngineOps {
	if log == nil {
		log = slog.Default()
	}
	return &EngineOps{eng: eng, log: log}
}

// opFunc carries out one operation once its key has been accepted.
type opFunc func(o *EngineOps, ctx context.Context, p Params) (Result, error)

// implemented maps each operation done so far to its function; the others
// answer notAvailable (never a canned success).
var implemented = map[string]opFunc{}

func register(name string, fn opFunc) { implemented[name] = fn }

// errNotAvailable is the fault of operations not built yet.
var errNotAvailable = &Fault{Code: FaultServer, String: "operation not available yet"}

// Call implements Operations.
func (o *EngineOps) Call(ctx context.Context, name string, p Params) (Result, error) {
	op, ok := LookupOperation(name)
	fn := implemented[name]
	if !ok || fn == nil {
		return Result{}, errNotAvailable
	}
	if hasKey(op) {
		ok, err := o.authorized(ctx, p.Get("authorizedKey"))
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return denied(op.Return), nil
		}
	}
	return fn(o, ctx, p)
}

func hasKey(op Operation) bool {
	return len(op.Parts) > 0 && op.Parts[0].Name == "authorizedKey"
}

// denied is the document's "authorizedKey incorrecta" answer in the
// operation's own type: -1, "-1" or false.
func denied(t XSD) Result {
	switch t {
	case XSDInt:
		return Int(-1)
	case XSDBoolean:
		return Bool(false)
	}
	return String("-1")
}

// authorized checks an authorizedKey. An unknown key is refused without the
// slow hash: finding its row already required knowing the key, so timing
// tells an attacker nothing, and refusals stay cheap under a flood. A store
// failure is a Server fault, not a wrong key.
func (o *EngineOps) authorized(ctx context.Context, key string) (bool, error) {
	if key == "" || len(key) > 256 {
		return false, nil
	}
	u, err := o.eng.APIUser(ctx, Dialect, core.KeyName(key))
	if errors.Is(err, core.ErrNoRecord) {
		return false, nil
	}
	if err != nil {
		o.log.Warn("expand soap: key lookup failed", "err", err)
		return false, errUnavailable
	}
	return u.Active && o.eng.Credentials().Verify(u.Secret, key), nil
}

// errUnavailable answers when the engine could not be asked.
var errUnavailable = &Fault{Code: FaultServer, String: "service unavailable, try again later"}
