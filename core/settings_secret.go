package core

// Secret settings: a dialect setting declared Secret (the password Callgate
// presents to a customer's backend) is sealed with the deployment's secrets
// key before it is stored, opened only for the dialect that reads it
// (Values), and masked wherever settings are listed.

const maskedSecret = "********"

func (s *Settings) secrets() Secrets {
	if p, ok := s.st.(SecretsProvider); ok {
		return p.Secrets()
	}
	return nil
}

// sealSecrets returns changes with every new secret value sealed; without
// a secrets key a secret is refused rather than stored in clear.
func (s *Settings) sealSecrets(op string, defs map[string]SettingDef, changes map[string]*string) (map[string]*string, error) {
	out := make(map[string]*string, len(changes))
	for name, v := range changes {
		out[name] = v
		if !defs[name].Secret || v == nil || *v == "" {
			continue
		}
		sec := s.secrets()
		if sec == nil {
			return nil, &Error{Code: EINVALID, Op: op, Message: name + ": secret settings need the secrets key (secrets.key)"}
		}
		sealed, err := sec.Seal(*v)
		if err != nil {
			return nil, &Error{Code: EINTERNAL, Op: op, Message: name + ": cannot seal the value", Err: err}
		}
		out[name] = &sealed
	}
	return out, nil
}

// reveal opens a stored secret value; other values are returned as stored.
func (s *Settings) reveal(d SettingDef, stored string) (string, error) {
	if !d.Secret || stored == "" {
		return stored, nil
	}
	sec := s.secrets()
	if sec == nil || !sec.IsSealed(stored) {
		return "", Errorf(EINTERNAL, "setting %s is not sealed", d.Name)
	}
	return sec.Open(stored)
}

// masked is what a listing shows of a stored value.
func masked(d SettingDef, stored string) string {
	if d.Secret && stored != "" {
		return maskedSecret
	}
	return stored
}
