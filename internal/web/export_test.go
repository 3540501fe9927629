package web

// RedirectCorpus is the open-redirect probe, for the tests that run it
// through the server and a browser.
var RedirectCorpus = func() (out []struct{ Next, Want string }) {
	for _, c := range redirectCorpus {
		out = append(out, struct{ Next, Want string }{c.next, c.want})
	}
	return out
}()
