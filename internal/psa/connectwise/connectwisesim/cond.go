package connectwisesim

import (
	"regexp"
	"strings"
)

// condExpr is a parsed conditions expression.
type condExpr interface {
	eval(res resolver) (bool, error)
	// paths calls f with every field path the expression reads.
	paths(f func([]string))
}

// resolver reads a field path of the row under test.
type resolver func(path []string) (any, error)

type andExpr struct{ l, r condExpr }
type orExpr struct{ l, r condExpr }
type notExpr struct{ x condExpr }

// cmpExpr is one comparison: path op literal, path [not] in (...),
// path [not] like/contains literal.
type cmpExpr struct {
	path []string
	op   string // = != < <= > >= like contains in
	neg  bool
	lits []literal
	like *regexp.Regexp
}

func (e andExpr) eval(res resolver) (bool, error) {
	ok, err := e.l.eval(res)
	if err != nil || !ok {
		return false, err
	}
	return e.r.eval(res)
}

func (e orExpr) eval(res resolver) (bool, error) {
	ok, err := e.l.eval(res)
	if err != nil || ok {
		return ok, err
	}
	return e.r.eval(res)
}

func (e notExpr) eval(res resolver) (bool, error) {
	ok, err := e.x.eval(res)
	return !ok, err
}

func (e andExpr) paths(f func([]string)) { e.l.paths(f); e.r.paths(f) }
func (e orExpr) paths(f func([]string))  { e.l.paths(f); e.r.paths(f) }
func (e notExpr) paths(f func([]string)) { e.x.paths(f) }
func (e *cmpExpr) paths(f func([]string)) {
	f(e.path)
}

// parseConditions parses text; an empty text is a nil expression that
// matches everything.
func parseConditions(text string) (condExpr, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	toks, err := lexConditions(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, badRequest("Unexpected %s at position %d in conditions; expected and, or or the end.", t, t.pos)
	}
	return e, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// keyword reports whether the next token is the keyword kw, consuming it
// if so.
func (p *parser) keyword(kw string) bool {
	if t := p.peek(); t.kind == tokWord && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) or() (condExpr, error) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		var r condExpr
		if r, err = p.and(); err == nil {
			l = orExpr{l, r}
		}
	}
	return l, err
}

func (p *parser) and() (condExpr, error) {
	l, err := p.unary()
	for err == nil && p.keyword("and") {
		var r condExpr
		if r, err = p.unary(); err == nil {
			l = andExpr{l, r}
		}
	}
	return l, err
}

func (p *parser) unary() (condExpr, error) {
	if p.keyword("not") {
		x, err := p.unary()
		return notExpr{x}, err
	}
	if p.peek().kind != tokLParen {
		return p.comparison()
	}
	p.next()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.next(); t.kind != tokRParen {
		return nil, badRequest("Expected ')' at position %d in conditions, found %s.", t.pos, t)
	}
	return e, nil
}

var keywords = map[string]bool{"and": true, "or": true, "not": true, "like": true, "contains": true, "in": true, "true": true, "false": true, "null": true}

func (p *parser) comparison() (condExpr, error) {
	t := p.next()
	if t.kind != tokWord || keywords[strings.ToLower(t.text)] {
		return nil, badRequest("Expected a field name at position %d in conditions, found %s.", t.pos, t)
	}
	e := &cmpExpr{path: strings.Split(t.text, "/"), neg: p.keyword("not")}
	op := p.next()
	switch {
	case op.kind == tokOp && !e.neg:
		e.op = op.text
	case op.kind == tokWord && (strings.EqualFold(op.text, "like") || strings.EqualFold(op.text, "contains") || strings.EqualFold(op.text, "in")):
		e.op = strings.ToLower(op.text)
	default:
		return nil, badRequest("Expected an operator after %s at position %d in conditions, found %s.", t.text, op.pos, op)
	}
	if e.op == "in" {
		return e, p.list(e)
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	e.lits = []literal{lit}
	if e.op == "like" && lit.kind == litString {
		e.like = likePattern(lit.s)
	}
	return e, nil
}

// list reads the parenthesised literals of an in comparison.
func (p *parser) list(e *cmpExpr) error {
	if t := p.next(); t.kind != tokLParen {
		return badRequest("Expected '(' after in at position %d in conditions, found %s.", t.pos, t)
	}
	for {
		lit, err := p.literal()
		if err != nil {
			return err
		}
		e.lits = append(e.lits, lit)
		switch t := p.next(); t.kind {
		case tokComma:
		case tokRParen:
			return nil
		default:
			return badRequest("Expected ',' or ')' at position %d in conditions, found %s.", t.pos, t)
		}
	}
}

func (p *parser) literal() (literal, error) {
	t := p.next()
	if t.kind == tokLit {
		return t.lit, nil
	}
	if t.kind == tokWord {
		switch strings.ToLower(t.text) {
		case "true", "false":
			return literal{kind: litBool, b: strings.EqualFold(t.text, "true")}, nil
		case "null":
			return literal{kind: litNull}, nil
		}
	}
	return literal{}, badRequest("Expected a value at position %d in conditions, found %s. %s", t.pos, t, literalHelp)
}

// likePattern compiles a like pattern: % and * match any run of
// characters; matching is case-insensitive like the SQL Server collation
// behind ConnectWise.
func likePattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range s {
		if r == '%' || r == '*' {
			b.WriteString(".*")
			continue
		}
		b.WriteString(regexp.QuoteMeta(string(r)))
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
