package simkit

// Page is one page of a listing numbered from 1, the way most PSAs
// address them (page and pageSize, page_no and page_size, ...). Number below 1 reads as 1 and
// Size below 1 as 1; parsing and capping what the client asked for is the
// simulator's, since each PSA answers a bad value its own way.
type Page struct {
	Number int
	Size   int
	Total  int // items in the whole listing
}

func (p Page) norm() (number, size int) { return max(p.Number, 1), max(p.Size, 1) }

// Bounds returns the page's slice of the listing, items[start:end]; a page
// past the end is empty (start == end == Total).
func (p Page) Bounds() (start, end int) {
	n, size := p.norm()
	// Compared before multiplying, so an absurd page number cannot
	// overflow into a negative index.
	if n-1 > p.Total/size {
		return p.Total, p.Total
	}
	start = min((n-1)*size, p.Total)
	return start, min(start+size, p.Total)
}

// Last returns the number of the last page, at least 1 (an empty listing
// has one empty page).
func (p Page) Last() int {
	_, size := p.norm()
	return max(1, (p.Total+size-1)/size)
}

// More reports whether items follow this page (SuperOps' hasMore).
func (p Page) More() bool {
	_, end := p.Bounds()
	return end < p.Total
}

// Links returns the Link header entries of the page, with url building
// the address of a page number: first and prev from page 2 on (prev never
// past the last page), next and last while pages follow: the set a Link
// header of numbered pages carries.
func (p Page) Links(url func(number int) string) []Link {
	n, _ := p.norm()
	last := p.Last()
	var links []Link
	if n > 1 {
		links = append(links, Link{URL: url(1), Rel: "first"}, Link{URL: url(min(n-1, last)), Rel: "prev"})
	}
	if n < last {
		links = append(links, Link{URL: url(n + 1), Rel: "next"}, Link{URL: url(last), Rel: "last"})
	}
	return links
}

// Offset is one slice of a listing addressed by a 0-based offset and a
// limit, the way ServiceNow pages (sysparm_offset, sysparm_limit). Offset
// below 0 reads as 0 and Limit below 1 as 1.
type Offset struct {
	Offset int
	Limit  int
	Total  int // items in the whole listing
}

func (o Offset) norm() (offset, limit int) { return max(o.Offset, 0), max(o.Limit, 1) }

// Bounds returns the slice of the listing, items[start:end].
func (o Offset) Bounds() (start, end int) {
	off, limit := o.norm()
	start = min(off, o.Total)
	return start, start + min(limit, o.Total-start)
}

// More reports whether items follow this slice.
func (o Offset) More() bool {
	_, end := o.Bounds()
	return end < o.Total
}

// Links returns the Link header entries of the slice, with url building
// the address of an offset, in ServiceNow's order: first and last always,
// next while items follow, prev after the first slice.
func (o Offset) Links(url func(offset int) string) []Link {
	off, limit := o.norm()
	last := 0
	if o.Total > 0 {
		last = (o.Total - 1) / limit * limit
	}
	links := []Link{{URL: url(0), Rel: "first"}}
	if o.More() {
		links = append(links, Link{URL: url(off + limit), Rel: "next"})
	}
	if off > 0 {
		links = append(links, Link{URL: url(max(off-limit, 0)), Rel: "prev"})
	}
	return append(links, Link{URL: url(last), Rel: "last"})
}

// After returns the bounds of the page of at most size items that follow
// a cursor: items is sorted by ascending id, and the page starts at the
// first item whose id is above after. Next-page links and forward-only
// paging walk ids this way, which keeps a listing stable while rows are
// added.
func After[T any](items []T, id func(T) int64, after int64, size int) (start, end int) {
	for start < len(items) && id(items[start]) <= after {
		start++
	}
	return start, min(start+max(size, 1), len(items))
}

// Before returns the bounds of the page of at most size items just before
// a cursor: the items up to the last one whose id is below before.
func Before[T any](items []T, id func(T) int64, before int64, size int) (start, end int) {
	end = len(items)
	for end > 0 && id(items[end-1]) >= before {
		end--
	}
	return max(end-max(size, 1), 0), end
}
