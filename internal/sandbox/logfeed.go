package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// containerLogs are the CRI-format files kwok serves as container logs for
// one WEC.
type containerLogs struct {
	app, proxy, initContainer, previous string
}

func logFiles(dir, cluster string) containerLogs {
	base := filepath.Join(dir, "container-logs", cluster)
	return containerLogs{
		app:           base + "-app.log",
		proxy:         base + "-proxy.log",
		initContainer: base + "-init.log",
		previous:      base + "-previous.log",
	}
}

// feedEnv, when set in the environment, turns a process into the sandbox's
// log feeder (see RunHelperIfAsked); its value is the sandbox directory.
const feedEnv = "WECS_SANDBOX_FEED_LOGS"

func (u *upper) startLogFeeder(wecs []*controlPlane) error {
	var names []string
	for _, p := range wecs {
		names = append(names, p.cluster.Name)
		if err := writeStaticLogs(logFiles(u.Dir, p.cluster.Name), p.cluster.Name); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable for the log feeder: %w", err)
	}
	c := &Component{Name: "log-feeder", Binary: self,
		Env: []string{feedEnv + "=" + u.Dir, feedEnv + "_CLUSTERS=" + strings.Join(names, ",")}}
	return u.launch(c)
}

// criLine formats one line of a container log in the CRI format kwok reads.
func criLine(t time.Time, stream, text string) string {
	return t.UTC().Format(time.RFC3339Nano) + " " + stream + " F " + text + "\n"
}

// writeStaticLogs writes the logs that do not grow: an init container's and a
// previous (crashed) container's.
func writeStaticLogs(files containerLogs, cluster string) error {
	if err := os.MkdirAll(filepath.Dir(files.app), 0o755); err != nil {
		return err
	}
	now := time.Now().Add(-10 * time.Minute)
	var initLog, previous strings.Builder
	for i, msg := range []string{"INFO connecting to database", "INFO applying migration 0001_create_orders", "INFO applying migration 0002_add_index", "INFO migrations complete"} {
		initLog.WriteString(criLine(now.Add(time.Duration(i)*time.Second), "stdout", msg+" cluster="+cluster))
	}
	for i, msg := range []string{"INFO starting worker", "WARN cache warm-up slow: 4.2s", "ERROR cannot reach payments-api: connection refused", "FATAL giving up after 5 retries"} {
		previous.WriteString(criLine(now.Add(time.Duration(i)*time.Second), "stderr", msg+" cluster="+cluster))
	}
	for path, text := range map[string]string{files.initContainer: initLog.String(), files.previous: previous.String(), files.app: "", files.proxy: ""} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// feedLogs appends a line to every cluster's app and proxy logs each period:
// plain lines at every level, JSON lines and now and then a multi-line stack
// trace, so followed logs always have something new.
func feedLogs(ctx context.Context, dir string, clusters []string, period time.Duration) error {
	type open struct{ app, proxy *os.File }
	var files []open
	for _, c := range clusters {
		paths := logFiles(dir, c)
		app, err := os.OpenFile(paths.app, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		proxy, err := os.OpenFile(paths.proxy, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		files = append(files, open{app, proxy})
	}
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return nil
		case now := <-ticker.C:
			for i, f := range files {
				for _, line := range appLogLines(now, n, clusters[i]) {
					if _, err := f.app.WriteString(line); err != nil {
						return err
					}
				}
				proxyLine := fmt.Sprintf(`127.0.0.1 - - "GET /api/orders/%d HTTP/1.1" %d %d`, n, []int{200, 200, 200, 404, 503}[n%5], 200+n%900)
				if _, err := f.proxy.WriteString(criLine(now, "stdout", proxyLine)); err != nil {
					return err
				}
			}
		}
	}
}

// appLogLines is the n-th burst of an application's log.
func appLogLines(now time.Time, n int, cluster string) []string {
	ms := 5 + rand.IntN(300)
	switch n % 10 {
	case 3:
		return []string{criLine(now, "stdout", fmt.Sprintf(`{"level":"info","ts":%q,"msg":"order placed","order":%d,"cluster":%q}`, now.UTC().Format(time.RFC3339), n, cluster))}
	case 5:
		return []string{criLine(now, "stdout", fmt.Sprintf("WARN slow request GET /api/orders took %dms cluster=%s", ms+1000, cluster))}
	case 7:
		return []string{criLine(now, "stderr", fmt.Sprintf(`{"level":"error","ts":%q,"msg":"payment declined","order":%d,"cluster":%q}`, now.UTC().Format(time.RFC3339), n, cluster))}
	case 9:
		if n%30 == 29 {
			trace := []string{
				"ERROR unhandled exception in request handler cluster=" + cluster,
				"java.lang.IllegalStateException: order " + fmt.Sprint(n) + " has no items",
				"\tat shop.orders.OrderService.place(OrderService.java:88)",
				"\tat shop.api.OrdersController.create(OrdersController.java:41)",
				"\tat shop.http.Router.dispatch(Router.java:120)",
			}
			var lines []string
			for _, t := range trace {
				lines = append(lines, criLine(now, "stderr", t))
			}
			return lines
		}
		return []string{criLine(now, "stderr", "ERROR failed to reach inventory service: context deadline exceeded cluster="+cluster)}
	case 1:
		return []string{criLine(now, "stdout", fmt.Sprintf("DEBUG cache hit ratio %.2f cluster=%s", rand.Float64(), cluster))}
	}
	return []string{criLine(now, "stdout", fmt.Sprintf("INFO GET /api/orders 200 %dms cluster=%s", ms, cluster))}
}
