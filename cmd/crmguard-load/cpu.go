package main

import (
	"os"
	"strconv"
	"strings"
)

// cpuUse is CPU seconds spent by this process (the load clients), the
// proxy, the instances serving a setup, and the PostgreSQL backends of the
// run's connections (by pid, so a backend that ends between two samples
// does not subtract).
type cpuUse struct {
	load, proxy, crmguard, postgres float64
	backends                        map[string]float64
}

func (c *cpuUse) add(d cpuUse) {
	c.load += d.load
	c.proxy += d.proxy
	c.crmguard += d.crmguard
	c.postgres += d.postgres
}

func (c cpuUse) minus(d cpuUse) cpuUse {
	r := cpuUse{load: c.load - d.load, proxy: c.proxy - d.proxy, crmguard: c.crmguard - d.crmguard}
	for pid, secs := range c.backends {
		r.postgres += secs - d.backends[pid]
	}
	return r
}

// sampleCPU reads the CPU time of s's processes and of the backends
// whose pids backends lists (nil: none).
func sampleCPU(s setup, backends func() []string) cpuUse {
	c := cpuUse{load: cpuSeconds("self"), backends: map[string]float64{}}
	if s.proxy != nil {
		c.proxy = cpuSeconds(strconv.Itoa(s.proxy.cmd.Process.Pid))
	}
	for _, p := range s.instances {
		c.crmguard += cpuSeconds(strconv.Itoa(p.cmd.Process.Pid))
	}
	if backends != nil {
		for _, pid := range backends() {
			c.backends[pid] = cpuSeconds(pid)
		}
	}
	return c
}

// cpuSeconds is a process's user and system time from /proc/PID/stat
// (Linux; clock ticks of 1/100 s); 0 when unreadable.
func cpuSeconds(pid string) float64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}
