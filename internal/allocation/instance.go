package allocation

import (
	"fmt"
	"sort"
	"strconv"
)

// Instance is the solver input (the JSON contract of `fachtag allocate`).
type Instance struct {
	Slots        []string      `json:"slots"`
	Workshops    []Workshop    `json:"workshops"`
	Participants []Participant `json:"participants"`
	Options      Options       `json:"options"`
}

// Workshop is one capacity-limited session in one slot.
type Workshop struct {
	Key      string `json:"key"`
	Slot     string `json:"slot"`
	Capacity int    `json:"capacity"`
	// Topic groups workshops that are the same content; a participant never
	// gets two workshops of one topic. Empty means the key itself.
	Topic string `json:"topic,omitempty"`
	// Min is the minimum number of participants for the workshop to run; it
	// only produces warnings (see SolveClosingUnderfilled).
	Min int `json:"min,omitempty"`
}

// Participant lists, per slot key, ranked workshop keys (best first) and
// optional hard pins (slot key → workshop key).
type Participant struct {
	ID          string              `json:"id"`
	Preferences map[string][]string `json:"preferences"`
	Pinned      map[string]string   `json:"pinned,omitempty"`
}

// Options select objective variants and the lottery seed.
type Options struct {
	AllowUnlisted bool  `json:"allow_unlisted"`
	Fair          bool  `json:"fair"`
	Seed          int64 `json:"seed"`
}

// model is the validated, index-based form of an Instance that the solver
// works on; strings are only needed again for the output.
type model struct {
	inst      *Instance
	slotIdx   map[string]int
	wsIdx     map[string]int
	wsSlot    []int   // workshop → slot
	wsTopic   []int32 // workshop → topic index
	wsCap     []int64 // capacity minus pinned participants
	slotWs    [][]int32
	topicSlot []int // topic → its slot, or -1 when the topic spans slots
	numTopics int
	prefs     [][][]int32 // participant → slot → ranked workshops
	pins      [][]int32   // participant → slot → workshop or -1
	wants     [][]bool    // participant → slot → wants a seat
	maxRank   int         // K: longest list
	tickets   []int32     // participant → lottery ticket (0 best)
	order     []int32     // ticket → participant
	listBuf   []int32     // backing array of prefs while compiling
}

// InputError is a validation error of an Instance: Path is the JSON path
// of the offending value (e.g. participants[3].preferences.r1[1]).
type InputError struct {
	Path string
	Msg  string
}

func (e *InputError) Error() string { return e.Path + ": " + e.Msg }

// pathErr formats the contract's "path: message" validation errors.
func pathErr(path, format string, args ...any) error {
	return &InputError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// sortedKeys returns map keys in a stable order so errors and loops are
// deterministic; it reuses buf.
func sortedKeys[V any](buf []string, m map[string]V) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compile validates the instance and builds the index model. Every error
// names the offending JSON path.
func compile(inst *Instance) (*model, error) {
	m := &model{inst: inst, slotIdx: make(map[string]int, len(inst.Slots)), wsIdx: make(map[string]int, len(inst.Workshops))}
	if err := m.compileSlots(); err != nil {
		return nil, err
	}
	if err := m.compileWorkshops(); err != nil {
		return nil, err
	}
	if err := m.compileParticipants(); err != nil {
		return nil, err
	}
	if err := m.applyPins(); err != nil {
		return nil, err
	}
	m.drawLottery()
	return m, nil
}

func (m *model) compileSlots() error {
	for i, s := range m.inst.Slots {
		if s == "" {
			return pathErr(fmt.Sprintf("slots[%d]", i), "empty slot name")
		}
		if _, dup := m.slotIdx[s]; dup {
			return pathErr(fmt.Sprintf("slots[%d]", i), "duplicate slot %q", s)
		}
		m.slotIdx[s] = i
	}
	return nil
}

func (m *model) compileWorkshops() error {
	n := len(m.inst.Workshops)
	m.wsSlot = make([]int, n)
	m.wsTopic = make([]int32, n)
	m.wsCap = make([]int64, n)
	m.slotWs = make([][]int32, len(m.inst.Slots))
	topicIdx := map[string]int32{}
	for i, w := range m.inst.Workshops {
		p := fmt.Sprintf("workshops[%d]", i)
		if w.Key == "" {
			return pathErr(p+".key", "empty workshop key")
		}
		if _, dup := m.wsIdx[w.Key]; dup {
			return pathErr(p+".key", "duplicate workshop %q", w.Key)
		}
		s, ok := m.slotIdx[w.Slot]
		if !ok {
			return pathErr(p+".slot", "unknown slot %q", w.Slot)
		}
		if w.Capacity < 0 {
			return pathErr(p+".capacity", "must be >= 0, got %d", w.Capacity)
		}
		if w.Min < 0 {
			return pathErr(p+".min", "must be >= 0, got %d", w.Min)
		}
		topic := w.Topic
		if topic == "" {
			topic = w.Key
		}
		t, ok := topicIdx[topic]
		if !ok {
			t = int32(len(topicIdx))
			topicIdx[topic] = t
			m.topicSlot = append(m.topicSlot, s)
		} else if m.topicSlot[t] != s {
			m.topicSlot[t] = -1
		}
		m.wsIdx[w.Key] = i
		m.wsSlot[i], m.wsTopic[i], m.wsCap[i] = s, t, int64(w.Capacity)
		m.slotWs[s] = append(m.slotWs[s], int32(i))
	}
	m.numTopics = len(topicIdx)
	return nil
}

func (m *model) compileParticipants() error {
	S, n := len(m.inst.Slots), len(m.inst.Participants)
	ids := make(map[string]struct{}, n)
	m.prefs = make([][][]int32, n)
	m.pins = make([][]int32, n)
	m.wants = make([][]bool, n)
	// One backing array each instead of three small slices per participant.
	prefs, pins, wants := make([][]int32, n*S), make([]int32, n*S), make([]bool, n*S)
	for i := range pins {
		pins[i] = -1
	}
	var keys []string
	total := 0
	for i := range m.inst.Participants {
		for _, l := range m.inst.Participants[i].Preferences {
			total += len(l)
		}
	}
	m.listBuf = make([]int32, 0, total)
	for i := range m.inst.Participants {
		pa := &m.inst.Participants[i]
		if pa.ID == "" {
			return pathErr(participantPath(i, ".id"), "empty participant id")
		}
		if _, dup := ids[pa.ID]; dup {
			return pathErr(participantPath(i, ".id"), "duplicate participant %q", pa.ID)
		}
		ids[pa.ID] = struct{}{}
		lo, hi := i*S, (i+1)*S
		m.prefs[i], m.pins[i], m.wants[i] = prefs[lo:hi:hi], pins[lo:hi:hi], wants[lo:hi:hi]
		keys = sortedKeys(keys, pa.Preferences)
		for _, sk := range keys {
			if err := m.compileList(i, sk, pa.Preferences[sk]); err != nil {
				return err
			}
		}
		keys = sortedKeys(keys, pa.Pinned)
		for _, sk := range keys {
			if err := m.compilePin(i, sk, pa.Pinned[sk]); err != nil {
				return err
			}
		}
	}
	return nil
}

// participantPath is the JSON path of participant i followed by rest; it
// is built only for an error message.
func participantPath(i int, rest string) string {
	return "participants[" + strconv.Itoa(i) + "]" + rest
}

// listPath is the JSON path of entry j of participant i's list for slot sk.
func listPath(i int, sk string, j int) string {
	return participantPath(i, ".preferences."+sk+"["+strconv.Itoa(j)+"]")
}

// slotWorkshop resolves a workshop key that must belong to slot sk.
// path builds the error's JSON path only when there is an error.
func (m *model) slotWorkshop(path func() string, sk, key string) (int, int, error) {
	s, ok := m.slotIdx[sk]
	if !ok {
		return 0, 0, pathErr(path(), "unknown slot %q", sk)
	}
	w, ok := m.wsIdx[key]
	if !ok {
		return 0, 0, pathErr(path(), "unknown workshop %q", key)
	}
	if m.wsSlot[w] != s {
		return 0, 0, pathErr(path(), "workshop %q belongs to slot %q, not %q", key, m.inst.Workshops[w].Slot, sk)
	}
	return s, w, nil
}

func (m *model) compileList(pi int, sk string, keys []string) error {
	s, ok := m.slotIdx[sk]
	if !ok {
		return pathErr(participantPath(pi, ".preferences."+sk), "unknown slot %q", sk)
	}
	// Lists share one backing array; each is capped at its length.
	list := m.listBuf[len(m.listBuf):len(m.listBuf)]
	for j, key := range keys {
		_, w, err := m.slotWorkshop(func() string { return listPath(pi, sk, j) }, sk, key)
		if err != nil {
			return err
		}
		for _, prev := range list {
			if int(prev) == w {
				return pathErr(listPath(pi, sk, j), "workshop %q listed twice", key)
			}
		}
		list = append(list, int32(w))
	}
	m.listBuf = m.listBuf[:len(m.listBuf)+len(list)]
	m.prefs[pi][s] = list[:len(list):len(list)]
	if len(list) > 0 {
		m.wants[pi][s] = true
	}
	m.maxRank = max(m.maxRank, len(list))
	return nil
}

func (m *model) compilePin(pi int, sk, key string) error {
	path := func() string { return participantPath(pi, ".pinned."+sk) }
	s, w, err := m.slotWorkshop(path, sk, key)
	if err != nil {
		return err
	}
	for s2, w2 := range m.pins[pi] {
		if w2 >= 0 && m.wsTopic[w2] == m.wsTopic[w] {
			return pathErr(path(), "workshop %q has the same topic as %q pinned in slot %q",
				key, m.inst.Workshops[w2].Key, m.inst.Slots[s2])
		}
	}
	m.pins[pi][s] = int32(w)
	m.wants[pi][s] = true
	return nil
}

// applyPins takes pinned seats out of the capacities the flow may use. A
// pin beyond a workshop's capacity is an error at that pin.
func (m *model) applyPins() error {
	for pi := range m.pins {
		for s, w := range m.pins[pi] {
			if w < 0 {
				continue
			}
			m.wsCap[w]--
			if m.wsCap[w] < 0 {
				ws := m.inst.Workshops[w]
				return pathErr(fmt.Sprintf("participants[%d].pinned.%s", pi, m.inst.Slots[s]),
					"workshop %q is over capacity: %d pins, capacity %d", ws.Key, int64(ws.Capacity)-m.wsCap[w], ws.Capacity)
			}
		}
	}
	return nil
}

// rankOf is the 1-based position of w in p's list for slot s, 0 if unlisted.
func (m *model) rankOf(p, s int, w int32) int {
	for i, x := range m.prefs[p][s] {
		if x == w {
			return i + 1
		}
	}
	return 0
}

// decomposable reports whether every topic lives in one slot, which makes
// the slots independent flow problems.
func (m *model) decomposable() bool {
	for _, s := range m.topicSlot {
		if s < 0 {
			return false
		}
	}
	return true
}
