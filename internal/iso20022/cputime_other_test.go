//go:build !unix

package iso20022

import "time"

func processCPU() time.Duration { return 0 }
