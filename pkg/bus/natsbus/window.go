package natsbus

import (
	"context"
	"fmt"
)

// FirstSeq is the oldest sequence the stream still holds (core.ReplayWindow).
func (b *Bus) FirstSeq() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opts.Timeout)
	defer cancel()
	info, err := b.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("natsbus: stream info: %w", err)
	}
	if info.State.Msgs == 0 {
		return info.State.LastSeq + 1, nil
	}
	return info.State.FirstSeq, nil
}
