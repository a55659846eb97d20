package ucontact

import (
	"errors"
	"fmt"

	"github.com/callgate/callgate/core"
)

func asError(err error, target **core.Error) bool { return errors.As(err, target) }

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
