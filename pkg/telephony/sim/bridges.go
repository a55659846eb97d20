package sim

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/callgate/callgate/core"
)

type bridge struct {
	id      string
	kind    core.BridgeKind
	members []string
	moh     string
	created time.Time
}

// BridgeState is a copy of a bridge as the PBX sees it.
type BridgeState struct {
	ID       string
	Kind     core.BridgeKind
	Channels []string // in the order they joined
	MOH      string   // class played to the bridge, "" when none
}

// Bridge returns a copy of a live bridge.
func (p *PBX) Bridge(id string) (BridgeState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.bridges[id]
	if !ok {
		return BridgeState{}, false
	}
	return BridgeState{ID: b.id, Kind: b.kind, Channels: append([]string(nil), b.members...), MOH: b.moh}, true
}

func (p *PBX) bridge(id string) (*bridge, error) {
	b, ok := p.bridges[id]
	if !ok {
		return nil, notFound("bridge", id)
	}
	return b, nil
}

// CreateBridge is idempotent for an existing id of the same kind, as ARI's
// create-with-id is.
func (p *PBX) CreateBridge(ctx context.Context, bridgeID string, kind core.BridgeKind) error {
	p.enter(ctx, "create_bridge", bridgeID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	if kind == "" {
		kind = core.BridgeMixing
	}
	if kind != core.BridgeMixing && kind != core.BridgeHolding {
		return fmt.Errorf("sim: create bridge: unknown kind %q", kind)
	}
	if bridgeID == "" {
		return fmt.Errorf("sim: create bridge: empty id")
	}
	if b, ok := p.bridges[bridgeID]; ok {
		if b.kind != kind {
			return fmt.Errorf("sim: create bridge %q: exists as %s", bridgeID, b.kind)
		}
		return nil
	}
	p.logOp("create_bridge", bridgeID, string(kind))
	p.bridges[bridgeID] = &bridge{id: bridgeID, kind: kind, created: p.now()}
	return nil
}

// DestroyBridge leaves its members in the application, outside any bridge;
// media on the bridge ends.
func (p *PBX) DestroyBridge(ctx context.Context, bridgeID string) error {
	p.enter(ctx, "destroy_bridge", bridgeID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	b, err := p.bridge(bridgeID)
	if err != nil {
		return err
	}
	p.logOp("destroy_bridge", bridgeID)
	p.endMedia(core.TargetBridge, bridgeID)
	for _, id := range b.members {
		if c, ok := p.chans[id]; ok {
			c.bridge = ""
		}
	}
	delete(p.bridges, bridgeID)
	return nil
}

// AddToBridge moves the channel out of any other bridge first, as Asterisk
// does for a channel in the application.
func (p *PBX) AddToBridge(ctx context.Context, bridgeID, channelID string) error {
	p.enter(ctx, "add_to_bridge", bridgeID+"/"+channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	b, err := p.bridge(bridgeID)
	if err != nil {
		return err
	}
	c, err := p.inApp(channelID)
	if err != nil {
		return err
	}
	p.logOp("add_to_bridge", bridgeID, channelID)
	if c.bridge == bridgeID {
		return nil
	}
	if c.bridge != "" {
		p.leaveBridge(c)
	}
	c.bridge = bridgeID
	b.members = append(b.members, channelID)
	return nil
}

func (p *PBX) RemoveFromBridge(ctx context.Context, bridgeID, channelID string) error {
	p.enter(ctx, "remove_from_bridge", bridgeID+"/"+channelID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	if _, err := p.bridge(bridgeID); err != nil {
		return err
	}
	c, err := p.live(channelID)
	if err != nil {
		return err
	}
	if c.bridge != bridgeID {
		return notFound("channel in bridge "+bridgeID, channelID)
	}
	p.logOp("remove_from_bridge", bridgeID, channelID)
	p.leaveBridge(c)
	return nil
}

// leaveBridge runs with mu held.
func (p *PBX) leaveBridge(c *channel) {
	if b, ok := p.bridges[c.bridge]; ok {
		b.members = removeString(b.members, c.id)
	}
	c.bridge = ""
}

func (p *PBX) BridgeMOH(ctx context.Context, bridgeID, class string) error {
	p.enter(ctx, "bridge_moh", bridgeID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	b, err := p.bridge(bridgeID)
	if err != nil {
		return err
	}
	if class == "" {
		class = "default"
	}
	p.logOp("bridge_moh", bridgeID, class)
	b.moh = class
	return nil
}

func (p *PBX) BridgeStopMOH(ctx context.Context, bridgeID string) error {
	p.enter(ctx, "bridge_stop_moh", bridgeID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return err
	}
	b, err := p.bridge(bridgeID)
	if err != nil {
		return err
	}
	p.logOp("bridge_stop_moh", bridgeID)
	b.moh = ""
	return nil
}

func (p *PBX) Bridges(ctx context.Context) ([]core.BridgeInfo, error) {
	p.enter(ctx, "bridges", "")
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.check(ctx); err != nil {
		return nil, err
	}
	list := make([]*bridge, 0, len(p.bridges))
	for _, b := range p.bridges {
		list = append(list, b)
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].created.Equal(list[j].created) {
			return list[i].created.Before(list[j].created)
		}
		return list[i].id < list[j].id
	})
	out := make([]core.BridgeInfo, len(list))
	for i, b := range list {
		out[i] = core.BridgeInfo{ID: b.id, Kind: b.kind, Channels: append([]string(nil), b.members...)}
	}
	return out, nil
}
