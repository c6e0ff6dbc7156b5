package simkit

import (
	"net/url"
	"testing"
)

func TestQueryURL(t *testing.T) {
	t.Parallel()
	q := url.Values{"conditions": {`name="Acme & Co"`}, "page": {"2"}, "pageSize": {"25"}}
	tests := []struct {
		name string
		q    url.Values
		set  map[string]string
		want string
	}{
		{name: "replace", q: q, set: map[string]string{"page": "3"},
			want: "https://h/x?conditions=name%3D%22Acme+%26+Co%22&page=3&pageSize=25"},
		{name: "replace and remove", q: q, set: map[string]string{"pageId": "42", "page": ""},
			want: "https://h/x?conditions=name%3D%22Acme+%26+Co%22&pageId=42&pageSize=25"},
		{name: "from nothing", set: map[string]string{"search": "", "paging": `{"pageSize":2}`},
			want: "https://h/x?paging=%7B%22pageSize%22%3A2%7D"},
		{name: "nothing left", q: url.Values{"page": {"1"}}, set: map[string]string{"page": ""}, want: "https://h/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := QueryURL("https://h/x", tt.q, tt.set); got != tt.want {
				t.Errorf("QueryURL = %q, want %q", got, tt.want)
			}
		})
	}
	if q.Get("page") != "2" || q.Has("pageId") {
		t.Errorf("QueryURL changed its argument: %v", q)
	}
}

func TestLinkHeader(t *testing.T) {
	t.Parallel()
	got := LinkHeader([]Link{{"https://h/x?page=2", "next"}, {"https://h/x?page=9", "last"}})
	if want := `<https://h/x?page=2>; rel="next", <https://h/x?page=9>; rel="last"`; got != want {
		t.Errorf("LinkHeader = %q, want %q", got, want)
	}
	if got := LinkHeader(nil); got != "" {
		t.Errorf("LinkHeader(nil) = %q, want empty", got)
	}
}
