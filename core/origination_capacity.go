package core

import "time"

// Capacity of origination jobs: a job with MaxConcurrent waits while that
// many jobs of its Origin ring or talk (Infocaller's EsperaMax: the request
// waits for a free simultaneous line), rechecked every capacityPoll on the
// engine's clock, and fails with cause 34 once WaitUntil has passed.

const capacityPoll = 10 * time.Second

// waitForCapacityLocked holds j back when its origin is at capacity; true
// when j was rescheduled or ended instead of started.
func (e *Engine) waitForCapacityLocked(j *originJob) bool {
	if j.rec.MaxConcurrent <= 0 || e.originBusyLocked(j.rec.Origin) < j.rec.MaxConcurrent {
		return false
	}
	now := e.now()
	// The wait bounds the first attempt; a busy retry was accepted already.
	if j.rec.Attempts == 0 && (j.rec.WaitUntil == nil || !now.Before(*j.rec.WaitUntil)) {
		e.endJobLocked(j, OriginFailed, int(CauseCongestion))
		return true
	}
	wait := capacityPoll
	if j.rec.Attempts == 0 && j.rec.WaitUntil != nil {
		wait = min(wait, j.rec.WaitUntil.Sub(now))
	}
	e.scheduleJobLocked(j, wait)
	return true
}

// originBusyLocked counts the jobs of origin ringing or talking.
func (e *Engine) originBusyLocked(origin string) int {
	n := 0
	for _, j := range e.jobs {
		switch j.rec.Status {
		case OriginRingingSource, OriginRingingDest, OriginAnswered:
			if j.rec.Origin == origin {
				n++
			}
		}
	}
	return n
}
