package uitest

// StormSizes are the sizes a resize storm goes through, as {width,
// height} in cells: every size up to 12x12, the layouts' thresholds either
// side, and large ones up to 300x100, in an order that jumps between small
// and large.
func StormSizes() [][2]int {
	widths := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 39, 40, 41, 60, 80, 99, 100, 101, 119, 120, 121, 200, 300}
	heights := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 23, 24, 25, 29, 30, 31, 40, 100}
	var out [][2]int
	for i, w := range widths {
		for j := range heights {
			// Each width meets every height, in an order that starts
			// elsewhere for each width and strides by 5, so the height
			// jumps as well; 5 is prime to len(heights), so the stride
			// skips none.
			out = append(out, [2]int{w, heights[(j*5+i)%len(heights)]})
		}
	}
	return out
}
