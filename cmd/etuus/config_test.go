package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// runStopped runs a command as main does, but with its context already
// cancelled, so that a setting wrongly accepted ends the command at once
// (with some other error) instead of leaving a server listening.
func runStopped(args ...string) (code int, stderr string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, errb.String()
}

// TestBadSettingStopsStart: a bad value stops the command with exit code 2,
// whether it comes from the ETUUS_* variable or from the flag; the variable's
// is named on one line.
func TestBadSettingStopsStart(t *testing.T) {
	tests := []struct {
		cmd, env, flag, value, problem string
	}{
		{"serve", "ETUUS_ACCESS_LOG", "access-log", "maybe", "not a boolean"},
		{"serve", "ETUUS_OUTBOX_WORKER", "outbox-worker", "", "not a boolean"},
		{"collect", "ETUUS_AUTO_APPROVE_PLANS", "auto-approve-plans", "2", "not a boolean"},
		{"serve", "ETUUS_SESSION_IDLE", "session-idle", "45", "not a duration"},
		{"serve", "ETUUS_SESSION_MAX", "session-max", "0s", "must be more than 0"},
		{"serve", "ETUUS_SESSION_IDLE", "session-idle", "-5m", "must not be negative"},
		{"serve", "ETUUS_ATTACHMENT_MAX_MB", "attachment-max-mb", "ten", "not a whole number"},
		{"serve", "ETUUS_ATTACHMENT_MAX_MB", "attachment-max-mb", "100", "must be 1–25"},
		{"serve", "ETUUS_ATTACHMENT_MAX_FILES", "attachment-max-files", "0", "must be 1–10"},
		{"serve", "ETUUS_DEMO", "demo", "sometimes", "must be auto, true or false"},
		{"serve", "ETUUS_TRUSTED_PROXIES", "trusted-proxies", "10.0.0.0/8,lb.example", `"lb.example" is not a CIDR`},
		{"serve", "ETUUS_TRUSTED_PROXIES", "trusted-proxies", "10.0.0.0/33", `"10.0.0.0/33" is not a CIDR`},
		{"serve", "ETUUS_ATTACHMENT_QUOTA_MB", "attachment-quota-mb", "0", "must be 1–1048576"},
		{"serve", "ETUUS_UPLOADS_PER_PERSON", "uploads-per-person", "0", "must be 1–20"},
		{"serve", "ETUUS_TEST_IDP", "test-idp", "", "must be auto, true or false"},
		{"seed", "ETUUS_DEMO", "demo", "maybe", "must be auto, true or false"},
		{"migrate", "ETUUS_LOG_FORMAT", "log-format", "xml", "must be one of text, json"},
		{"worker", "ETUUS_LOG_LEVEL", "log-level", "loud", "must be one of debug, info, warn, error"},
		{"reconcile", "ETUUS_LANG", "lang", "de", "must be one of fi, sv, en"},
	}
	// Were a value wrongly accepted, serve would listen here, and stop at
	// once on its cancelled context.
	t.Setenv("ETUUS_ADDR", "127.0.0.1:0")
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Setenv("ETUUS_DATA", t.TempDir())
			t.Setenv(tt.env, tt.value)
			code, errOut := runStopped(tt.cmd)
			want := "etuus " + tt.cmd + `: invalid value "` + tt.value + `" for ` + tt.env + ": " + tt.problem
			if code != 2 || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("%s=%q: exit %d, stderr %q; want exit 2 and one line %q…", tt.env, tt.value, code, errOut, want)
			}
		})
		t.Run("--"+tt.flag+"="+tt.value, func(t *testing.T) {
			t.Setenv("ETUUS_DATA", t.TempDir())
			code, errOut := runStopped(tt.cmd, "--"+tt.flag+"="+tt.value)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			last := lines[len(lines)-1]
			if code != 2 || !strings.Contains(last, "-"+tt.flag+": "+tt.problem) {
				t.Errorf("--%s=%q: exit %d, last line %q; want exit 2 and %q", tt.flag, tt.value, code, last, tt.problem)
			}
		})
	}
}

// TestBadVariableStopsStartUnderAGoodFlag: the flag wins over the variable,
// but a variable that is wrong is still a mistake in the deployment.
func TestBadVariableStopsStartUnderAGoodFlag(t *testing.T) {
	t.Setenv("ETUUS_DATA", t.TempDir())
	t.Setenv("ETUUS_SESSION_IDLE", "45")
	code, errOut := runStopped("serve", "--addr", "127.0.0.1:0", "--session-idle", "45m")
	if code != 2 || !strings.Contains(errOut, "ETUUS_SESSION_IDLE") {
		t.Errorf("exit %d, stderr %q; want 2 naming ETUUS_SESSION_IDLE", code, errOut)
	}
}

// TestSettingValues: variables and flags take the same words, and the flag
// wins.
func TestSettingValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		got  func(c *config) any
		want any
	}{
		{"bool true", map[string]string{"ETUUS_AUTO_APPROVE_PLANS": "true"}, nil, func(c *config) any { return c.AutoApprove }, true},
		{"bool 1", map[string]string{"ETUUS_AUTO_APPROVE_PLANS": "1"}, nil, func(c *config) any { return c.AutoApprove }, true},
		{"bool yes", map[string]string{"ETUUS_AUTO_APPROVE_PLANS": "yes"}, nil, func(c *config) any { return c.AutoApprove }, true},
		{"bool ON", map[string]string{"ETUUS_AUTO_APPROVE_PLANS": "ON"}, nil, func(c *config) any { return c.AutoApprove }, true},
		{"bool false", map[string]string{"ETUUS_ACCESS_LOG": "false"}, nil, func(c *config) any { return c.AccessLog }, false},
		{"bool 0", map[string]string{"ETUUS_ACCESS_LOG": "0"}, nil, func(c *config) any { return c.AccessLog }, false},
		{"bool no", map[string]string{"ETUUS_ACCESS_LOG": "no"}, nil, func(c *config) any { return c.AccessLog }, false},
		{"bool Off", map[string]string{"ETUUS_ACCESS_LOG": "Off"}, nil, func(c *config) any { return c.AccessLog }, false},
		{"bool flag no", nil, []string{"--access-log=no"}, func(c *config) any { return c.AccessLog }, false},
		{"bool flag on", nil, []string{"--auto-approve-plans=on"}, func(c *config) any { return c.AutoApprove }, true},
		{"bool flag alone", map[string]string{"ETUUS_AUTO_APPROVE_PLANS": "no"}, []string{"--auto-approve-plans"}, func(c *config) any { return c.AutoApprove }, true},
		{"bool flag wins", map[string]string{"ETUUS_ACCESS_LOG": "yes"}, []string{"--access-log=off"}, func(c *config) any { return c.AccessLog }, false},
		{"bool default", nil, nil, func(c *config) any { return c.AccessLog }, true},
		{"duration", map[string]string{"ETUUS_SESSION_IDLE": "45m"}, nil, func(c *config) any { return c.SessionIdle }, 45 * time.Minute},
		{"duration flag wins", map[string]string{"ETUUS_SESSION_IDLE": "45m"}, []string{"--session-idle=1h30m"}, func(c *config) any { return c.SessionIdle }, 90 * time.Minute},
		{"duration default", nil, nil, func(c *config) any { return c.SessionMax }, 12 * time.Hour},
		{"int", map[string]string{"ETUUS_ATTACHMENT_MAX_MB": "25"}, nil, func(c *config) any { return c.AttachMaxMB }, 25},
		{"int flag wins", map[string]string{"ETUUS_ATTACHMENT_MAX_MB": "25"}, []string{"--attachment-max-mb", "1"}, func(c *config) any { return c.AttachMaxMB }, 1},
		{"enum in any case", map[string]string{"ETUUS_LOG_LEVEL": "DEBUG"}, nil, func(c *config) any { return c.LogLevel }, "debug"},
		{"enum flag wins", map[string]string{"ETUUS_LOG_FORMAT": "json"}, []string{"--log-format=text"}, func(c *config) any { return c.LogFormat }, "text"},
		{"auto", map[string]string{"ETUUS_DEMO": "AUTO"}, nil, func(c *config) any { return c.Demo }, "auto"},
		{"auto as bool", map[string]string{"ETUUS_DEMO": "yes", "ETUUS_TEST_IDP": "off"}, nil, func(c *config) any { return c.Demo + " " + c.TestIDP }, "true false"},
		{"auto flag wins", map[string]string{"ETUUS_DEV_SMTP": "false"}, []string{"--dev-smtp", "auto"}, func(c *config) any { return c.DevSMTP }, "auto"},
		{"string empty", map[string]string{"ETUUS_CREDITOR_NAME": ""}, nil, func(c *config) any { return c.CreditorName }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var c config
			fs := newFlagSet("serve", "", io.Discard)
			serveFlags(fs, &c)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := tt.got(&c); got != tt.want {
				t.Errorf("env %v, args %q: got %v, want %v", tt.env, tt.args, got, tt.want)
			}
		})
	}
}

// TestVariablesReachTheCommand: settings from variables change what a
// command does, and a flag overrides them.
func TestVariablesReachTheCommand(t *testing.T) {
	t.Run("log format", func(t *testing.T) {
		t.Setenv("ETUUS_LOG_FORMAT", "JSON")
		code, _, errOut := runCmd(t, "migrate", "--data", t.TempDir())
		if code != 0 || !strings.HasPrefix(errOut, `{"time"`) {
			t.Errorf("ETUUS_LOG_FORMAT=JSON migrate = %d %q; want JSON logs", code, errOut)
		}
		code, _, errOut = runCmd(t, "migrate", "--data", t.TempDir(), "--log-format", "text")
		if code != 0 || !strings.HasPrefix(errOut, "time=") {
			t.Errorf("ETUUS_LOG_FORMAT=JSON migrate --log-format text = %d %q; want text logs", code, errOut)
		}
	})
	for _, tt := range []struct {
		env, flag string
		demo      bool
	}{{"on", "", true}, {"no", "", false}, {"0", "--demo=yes", true}, {"yes", "--demo=off", false}} {
		t.Run("demo "+tt.env+" "+tt.flag, func(t *testing.T) {
			t.Setenv("ETUUS_DATA", t.TempDir())
			t.Setenv("ETUUS_DEMO", tt.env)
			args := []string{"seed"}
			if tt.flag != "" {
				args = append(args, tt.flag)
			}
			code, _, errOut := runCmd(t, args...)
			if got := strings.Contains(errOut, "demo data written"); code != 0 || got != tt.demo {
				t.Errorf("ETUUS_DEMO=%s %q = %d, demo data written %v, want %v: %s", tt.env, args, code, got, tt.demo, errOut)
			}
		})
	}
}
