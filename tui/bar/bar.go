// Package bar draws fill bars ("███▌░░░░ 45%") and the figures beside them,
// for the capacity of clusters and nodes.
package bar

import (
	"fmt"
	"strings"

	"github.com/wecs-tui/wecs/theme"
)

// eighths are the partial blocks, from one eighth to seven.
var eighths = []string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// Fill draws used against total in width cells, coloured by how full it is
// (OK below 75%, Warn below 90%, Error from 90% or over), with the percent
// after it. A zero total draws an empty, muted bar.
func Fill(used, total int64, width int, s theme.Styles) string {
	width = max(width, 1)
	if total <= 0 {
		return s.Muted.Render(strings.Repeat("░", width) + "    —")
	}
	ratio := float64(used) / float64(total)
	cells := min(ratio, 1) * float64(width)
	full := int(cells)
	body := strings.Repeat("█", full)
	if part := int((cells - float64(full)) * 8); full < width && part > 0 {
		body += eighths[part-1]
		full++
	}
	body += strings.Repeat("░", width-full)
	style := s.OK
	switch {
	case ratio >= 0.9:
		style = s.Error
	case ratio >= 0.75:
		style = s.Warn
	}
	return style.Render(body + fmt.Sprintf(" %3.0f%%", ratio*100))
}

// CPU prints millicores as cores: "250m", "1.5", "12".
func CPU(milli int64) string {
	if milli < 1000 && milli%1000 != 0 {
		return fmt.Sprintf("%dm", milli)
	}
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", float64(milli)/1000), "0"), ".")
}

// Bytes prints a size in binary units: "512Mi", "15.6Gi".
func Bytes(b int64) string {
	const ki = 1024
	units := []string{"", "Ki", "Mi", "Gi", "Ti"}
	v, i := float64(b), 0
	for v >= ki && i < len(units)-1 {
		v /= ki
		i++
	}
	if v == float64(int64(v)) || v >= 100 {
		return fmt.Sprintf("%.0f%s", v, units[i])
	}
	return fmt.Sprintf("%.1f%s", v, units[i])
}
