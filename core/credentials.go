package core

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Secrets is the port of the secret facility (pkg/secret). Secrets the
// protocols only compare are hashed (a slow password hash, "$argon2id$..."),
// secrets a protocol needs in clear are sealed (AES-GCM under a configured
// key, "sealed:v1:..."). Stored values carry their prefix, so clear text is
// told apart from protected values.
//
// The store applies it on write to the record fields tagged secret:"hash"
// or secret:"seal" (Agent.Password, APIUser.Secret; Agent.ConsolePassword,
// Agent.PhonePass), so no write path stores clear text; the core verifies
// and opens.
type Secrets interface {
	Hash(plain string) (string, error)
	// Verify reports whether given matches a stored hash.
	Verify(hash, given string) bool
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
	IsHash(v string) bool
	IsSealed(v string) bool
}

// SecretsProvider is implemented by a store that protects secret fields on
// write; an engine without Options.Secrets uses the store's.
type SecretsProvider interface {
	Secrets() Secrets
}

// SecretDeriver lets a record say what is hashed for one of its
// secret:"hash" fields when that is not the clear secret itself.
type SecretDeriver interface {
	SecretInput(field, plain string) string
}

// SecretInput: a dialect whose clients may send a digest of their secret
// instead of the secret (ECCP's PHP client sends its MD5) registers the
// digest with DeriveSecret, and the stored hash is of the digest so both
// forms verify.
func (u *APIUser) SecretInput(field, plain string) string {
	if field != "Secret" {
		return plain
	}
	secretDerivers.RLock()
	derive := secretDerivers.m[u.Dialect]
	secretDerivers.RUnlock()
	if derive == nil {
		return plain
	}
	return derive(plain)
}

var secretDerivers = struct {
	sync.RWMutex
	m map[string]func(string) string
}{m: map[string]func(string) string{}}

// DeriveSecret makes the API users of dialect store a hash of derive(secret)
// rather than of the secret itself. Adapters call it from init, before any
// write of their users.
func DeriveSecret(dialect string, derive func(plain string) string) {
	secretDerivers.Lock()
	defer secretDerivers.Unlock()
	secretDerivers.m[dialect] = derive
}

// MD5Hex is the lower-case hex MD5 of s.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ThrottlePolicy shapes the delays after failed logins. Failures are
// counted per (dialect, principal, source address) until a success clears
// them: after Free failures the next attempt of that triple must wait Base,
// doubling with every further failure up to Max. Failures older than Window
// are forgotten; it outlasts the climb to Max many times over, so a patient
// guesser stays at the cap. A source failing across principals (spraying)
// is slowed the same way after SprayFree failures within SprayWindow.
type ThrottlePolicy struct {
	Free        int
	Base        time.Duration
	Max         time.Duration
	Window      time.Duration
	SprayFree   int
	SprayWindow time.Duration
}

// DefaultThrottle: three free failures, then 1s, 2s, 4s... up to 15 min;
// twenty failures across users from one address within an hour slow that
// address the same way.
var DefaultThrottle = ThrottlePolicy{Free: 3, Base: time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour,
	SprayFree: 20, SprayWindow: time.Hour}

// LoginAttempt is one authentication to judge.
type LoginAttempt struct {
	Dialect   string
	Principal string // user name; empty when the credential has none (admin token)
	Source    string // client address; a port is ignored
	// RightFirst checks the credential before any delay, so the right one
	// is never refused (the admin token: everyone behind one proxy shares
	// an address); only wrong ones are delayed.
	RightFirst bool
}

// LoginOutcome is the verdict on an attempt.
type LoginOutcome int

const (
	LoginAccepted LoginOutcome = iota
	LoginRejected              // wrong credential, counted
	LoginDelayed               // this (principal, source) must wait until RetryAt; not checked
)

type LoginVerdict struct {
	Outcome LoginOutcome
	RetryAt time.Time
}

// Credentials verifies secrets and throttles failed logins. Get it with
// Engine.Credentials.
type Credentials struct {
	e      *Engine
	sec    Secrets // nil: clear-text rows only (a store without the facility)
	policy ThrottlePolicy

	cacheKey [32]byte
	mu       sync.Mutex
	good     map[[32]byte]struct{}
	// flight makes concurrent first logins of one (hash, password) pair
	// pay the slow hash once: a burst of 32 requests at start-up would
	// otherwise hash 32 times at once (each ~19 MiB of memory).
	flight singleflight.Group

	dummyOnce sync.Once
	dummy     string
}

// maxCached bounds the verification cache; it is emptied when full.
const maxCached = 4096

func newCredentials(e *Engine, sec Secrets, p ThrottlePolicy) *Credentials {
	c := &Credentials{e: e, sec: sec, policy: p, good: map[[32]byte]struct{}{}}
	if _, err := rand.Read(c.cacheKey[:]); err != nil {
		panic(err)
	}
	return c
}

// Credentials is the engine's credential service.
func (e *Engine) Credentials() *Credentials { return e.creds }

// Check judges one attempt: verify runs unless the attempt's
// (principal, source) is still inside its delay, failures are counted and a
// success clears the failures it was delayed by. A source that has not been
// failing is never delayed, so the owner of a credential is not locked out
// by someone else's failures.
func (c *Credentials) Check(ctx context.Context, a LoginAttempt, verify func() bool) LoginVerdict {
	a.Principal, a.Source = clip(a.Principal, 64), clip(SourceAddr(a.Source), 64)
	if a.RightFirst {
		if verify() {
			return LoginVerdict{Outcome: LoginAccepted}
		}
		if at, _ := c.delay(ctx, a); c.e.now().Before(at) {
			return LoginVerdict{Outcome: LoginDelayed, RetryAt: at}
		}
		c.failed(ctx, a)
		return LoginVerdict{Outcome: LoginRejected}
	}
	at, own := c.delay(ctx, a)
	if c.e.now().Before(at) {
		return LoginVerdict{Outcome: LoginDelayed, RetryAt: at}
	}
	if !verify() {
		c.failed(ctx, a)
		return LoginVerdict{Outcome: LoginRejected}
	}
	if own > 0 {
		// Only a triple that was failing costs a write on success: the
		// VICIdial API authenticates every request.
		if err := c.e.store.Delete(ctx, &LoginFailure{}, Eq("dialect", a.Dialect).Eq("username", a.Principal).Eq("source", a.Source)); err != nil {
			c.e.log.Warn("engine: login failures clear failed", "dialect", a.Dialect, "err", err)
		}
	}
	return LoginVerdict{Outcome: LoginAccepted}
}

// delay returns when the attempt may next be checked and how many recent
// failures its own (principal, source) has.
func (c *Credentials) delay(ctx context.Context, a LoginAttempt) (time.Time, int) {
	p := c.policy
	// The source's recent failures, newest first, from memory while no
	// failure was written since they were read.
	since := c.e.now().Add(-p.Window)
	rows, err := c.e.recentFailures(ctx, a.Dialect, a.Source, since)
	if err != nil {
		// Fail open: the credential is still checked (slowly), and a store
		// hiccup must not lock out every owner.
		c.e.log.Warn("engine: login throttle read failed", "dialect", a.Dialect, "err", err)
		return time.Time{}, 0
	}
	var own, spray int
	var ownLast time.Time
	sprayFrom := c.e.now().Add(-p.SprayWindow)
	for _, r := range rows {
		if r.Username == a.Principal {
			if own == 0 {
				ownLast = r.Time
			}
			own++
		}
		if r.Time.After(sprayFrom) {
			spray++
		}
	}
	at := time.Time{}
	if d := backoff(own, p.Free, p); d > 0 {
		at = ownLast.Add(d)
	}
	if d := backoff(spray, p.SprayFree, p); d > 0 {
		if t := rows[0].Time.Add(d); t.After(at) {
			at = t
		}
	}
	return at, own
}

func backoff(n, free int, p ThrottlePolicy) time.Duration {
	if n < free || free <= 0 {
		return 0
	}
	d := p.Base
	for i := free; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

func (c *Credentials) failed(ctx context.Context, a LoginAttempt) {
	now := c.e.now()
	if err := c.e.store.Create(ctx, &LoginFailure{Dialect: a.Dialect, Username: a.Principal, Source: a.Source, Time: now}); err != nil {
		c.e.log.Warn("engine: login failure write failed", "dialect", a.Dialect, "err", err)
	}
	_ = c.e.store.Delete(ctx, &LoginFailure{}, All.Lte("time", now.Add(-c.policy.Window)))
}

// SourceAddr is the address part of a host:port client address, an
// IPv4-mapped IPv6 address written as IPv4, so one client is one source.
func SourceAddr(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	if ip, err := netip.ParseAddr(addr); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	return addr
}

// Verify reports whether given matches the stored secret, whatever its
// form: a hash (slow, but a repeated success costs one HMAC), a sealed value
// or clear text not yet migrated (compared in constant time). An empty
// stored value (no such principal) still pays one slow hash, so timing does
// not tell unknown names from wrong passwords.
func (c *Credentials) Verify(stored, given string) bool {
	switch {
	case stored == "":
		if c.sec != nil {
			c.sec.Verify(c.dummyHash(), given)
		}
		return false
	case c.sec != nil && c.sec.IsHash(stored):
		key := c.cacheEntry(stored, given)
		c.mu.Lock()
		_, ok := c.good[key]
		c.mu.Unlock()
		if ok {
			return true
		}
		v, _, _ := c.flight.Do(string(key[:]), func() (any, error) {
			// A flight that ended just before this one began has filled
			// the cache: no second slow hash.
			c.mu.Lock()
			_, done := c.good[key]
			c.mu.Unlock()
			if done {
				return true, nil
			}
			if !c.sec.Verify(stored, given) {
				return false, nil
			}
			c.mu.Lock()
			if len(c.good) >= maxCached {
				clear(c.good)
			}
			c.good[key] = struct{}{}
			c.mu.Unlock()
			return true, nil
		})
		return v.(bool)
	case c.sec != nil && c.sec.IsSealed(stored):
		plain, err := c.sec.Open(stored)
		if err != nil {
			c.e.log.Warn("engine: sealed secret does not open", "err", err)
			return false
		}
		return subtle.ConstantTimeCompare([]byte(plain), []byte(given)) == 1
	default:
		return subtle.ConstantTimeCompare([]byte(stored), []byte(given)) == 1
	}
}

// cacheEntry keys a verified (stored hash, password) pair: the stored hash
// is part of the key, so a changed password invalidates the entry, and the
// process-random key keeps passwords out of memory in any guessable form.
func (c *Credentials) cacheEntry(stored, given string) [32]byte {
	m := hmac.New(sha256.New, c.cacheKey[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(stored)))
	m.Write(n[:])
	m.Write([]byte(stored))
	m.Write([]byte(given))
	var out [32]byte
	m.Sum(out[:0])
	return out
}

func (c *Credentials) dummyHash() string {
	c.dummyOnce.Do(func() {
		var b [16]byte
		_, _ = rand.Read(b[:])
		c.dummy, _ = c.sec.Hash(hex.EncodeToString(b[:]))
	})
	return c.dummy
}

// ErrNotRevealable: a hashed secret cannot be turned back into clear text.
var ErrNotRevealable = errors.New("secret is hashed, not sealed")

// Reveal returns the clear text of a sealed secret (ECCP agent passwords
// enter md5(cookie+agent+password)); clear text not yet migrated is
// returned as is.
func (c *Credentials) Reveal(stored string) (string, error) {
	if c.sec == nil || stored == "" {
		return stored, nil
	}
	if c.sec.IsSealed(stored) {
		return c.sec.Open(stored)
	}
	if c.sec.IsHash(stored) {
		return "", ErrNotRevealable
	}
	return stored, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
