package main

import (
	"context"
	"strings"

	"github.com/callgate/callgate/core"

	"github.com/callgate/callgate/pkg/media"
)

// newMedia builds the recording media service from media.* (nil when
// neither media.s3_url nor media.dir is set).
func (g *gateway) newMedia(rows media.Rows) *media.Service {
	var store media.Store
	switch {
	case g.cfg.MediaS3URL != "":
		store = &media.S3Store{URL: strings.TrimRight(g.cfg.MediaS3URL, "/"), Region: g.cfg.MediaS3Region,
			AccessKey: g.cfg.MediaS3AccessKey, SecretKey: g.cfg.MediaS3SecretKey}
	case g.cfg.MediaDir != "":
		store = media.DirStore{Root: g.cfg.MediaDir}
	default:
		return nil
	}
	var enc media.Encoder
	if g.cfg.MediaEncoder != "none" {
		l := media.Lame{Path: g.cfg.MediaEncoder, Timeout: g.cfg.MediaEncoderTimeout}
		if !l.Available() {
			// Originals are still archived; MP3 requests fail (logged)
			// until lame is installed.
			g.log.Warn("media: MP3 encoder not found; install lame (scripts/services.sh does) or set media.encoder none", "encoder", g.cfg.MediaEncoder)
		}
		enc = l
	}
	return media.New(media.Options{
		PBX: g.tel, Rows: rows, Store: store, Encoder: enc,
		Logger: g.log.With("component", "media"),
	})
}

// startMedia archives finished recordings in the background until the
// gateway shuts down (a closer).
func (g *gateway) startMedia() {
	if g.media == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	svc := g.media // in a cluster g.media changes with the term
	go func() {
		defer close(done)
		svc.Run(ctx, g.bus)
	}()
	g.closers = append(g.closers, mediaCloser(func() { cancel(); <-done }))
}

type mediaCloser func()

func (c mediaCloser) Close() error { c(); return nil }

// mediaPort is the service as the port, or nil (a nil *media.Service in an
// interface would not compare equal to nil).
func (g *gateway) mediaPort() core.RecordingMedia {
	if g.media == nil {
		return nil
	}
	return g.media
}
