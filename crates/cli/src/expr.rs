//! A small expression language: numbers (`2`, `0.5`, `1e-3`), variables, `+ - * / ^`,
//! unary minus, parentheses, and the tape's elementwise functions.
//!
//! Precedence, loosest first: `+ -`, then `* /`, then unary `-`, then `^` (right
//! associative, so `-x^2` is `-(x^2)` and `2^-x` is `2^(-x)`).

use std::fmt;

/// The functions an expression may call, each with one argument.
pub const FUNCTIONS: [&str; 23] = [
    "exp", "ln", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "erf", "erfc", "expm1",
    "sinh", "cosh", "atan", "asin", "acos", "lgamma", "digamma", "relu", "abs", "square", "log",
];

/// A span of character columns, 0-based, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    fn symbol(self) -> char {
        match self {
            BinOp::Add => '+',
            BinOp::Sub => '-',
            BinOp::Mul => '*',
            BinOp::Div => '/',
            BinOp::Pow => '^',
        }
    }
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64, Span),
    Var(String, Span),
    Neg(Box<Expr>, Span),
    Bin(BinOp, Box<Expr>, Box<Expr>, Span),
    Call(&'static str, Box<Expr>, Span),
}

impl Expr {
    /// The columns this expression covers.
    pub fn span(&self) -> Span {
        match self {
            Expr::Num(_, s)
            | Expr::Var(_, s)
            | Expr::Neg(_, s)
            | Expr::Bin(_, _, _, s)
            | Expr::Call(_, _, s) => *s,
        }
    }

    /// Every variable use, in order of appearance.
    pub fn variables(&self) -> Vec<(&str, Span)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<(&'a str, Span)>) {
        match self {
            Expr::Num(..) => {}
            Expr::Var(v, s) => out.push((v, *s)),
            Expr::Neg(e, _) | Expr::Call(_, e, _) => e.collect(out),
            Expr::Bin(_, a, b, _) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }
}

/// A syntax error at a column.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// Whether `c` prints as itself (Rust's `escape_debug` leaves it alone, or escapes it only
/// because of string syntax: quotes and the backslash).
fn printable(c: char) -> bool {
    matches!(c, '\'' | '"' | '\\') || c.escape_debug().next() != Some('\\')
}

/// `c` for an error message: itself if printable, else its escape (`\t`, `\u{1b}`).
fn describe(c: char) -> String {
    if printable(c) {
        c.to_string()
    } else {
        c.escape_debug().to_string()
    }
}

/// Shows `source` with a caret line under `span`, indented by two spaces. Whitespace (tabs,
/// line breaks) is shown as a space and any other character that does not print as itself
/// (control and invisible format characters) as `�`, so nothing raw reaches the terminal;
/// the caret line counts each shown character's display width (two columns for a CJK
/// character or an emoji), so it stays under the span.
pub fn caret(source: &str, span: Span) -> String {
    use unicode_width::UnicodeWidthChar;
    let shown: Vec<char> = source
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else if printable(c) {
                c
            } else {
                '\u{fffd}'
            }
        })
        .collect();
    let columns = |cs: &[char]| cs.iter().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let start = span.start.min(shown.len());
    let end = span.end.clamp(start, shown.len());
    // Past the end (a missing operand): one column after the text.
    let lead = columns(&shown[..start]) + span.start.saturating_sub(shown.len());
    let width = columns(&shown[start..end]).max(1);
    let text: String = shown.into_iter().collect();
    format!("  {text}\n  {}{}", " ".repeat(lead), "^".repeat(width))
}

impl SyntaxError {
    /// The message, the expression, and a caret under the column.
    pub fn render(&self, source: &str) -> String {
        format!("error: {} (column {})\n{}", self.message, self.span.start + 1, caret(source, self.span))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
    LParen,
    RParen,
    End,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Num(x) => write!(f, "number {x}"),
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Op(c) => write!(f, "`{c}`"),
            Tok::LParen => write!(f, "`(`"),
            Tok::RParen => write!(f, "`)`"),
            Tok::End => write!(f, "the end of the expression"),
        }
    }
}

fn err<T>(start: usize, end: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError { span: Span { start, end }, message: message.into() })
}

/// A name (of a variable or a function) starts with a letter or `_`.
fn name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// After its first character, a name has letters, ASCII digits and `_` (not other
/// numerals: `x²` is `x` followed by a character to write as `^2`).
fn name_char(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || c == '_'
}

/// Whether `s` is a variable or function name, as the expression language reads one.
pub fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(name_start) && cs.all(name_char)
}

fn tokenize(src: &str) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                } else {
                    return err(start, j, "malformed number: an exponent needs digits, as in 1e-3");
                }
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Tok::Num(x),
                Ok(_) => {
                    return err(
                        start,
                        i,
                        format!(
                            "the number `{text}` is too large for a 64-bit float (at most about 1.8e308)"
                        ),
                    )
                }
                Err(_) => return err(start, i, format!("malformed number `{text}`")),
            }
        } else if name_start(c) {
            while i < chars.len() && name_char(chars[i]) {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else {
            i += 1;
            match c {
                '+' | '-' | '*' | '/' | '^' => Tok::Op(c),
                '−' => Tok::Op('-'),
                '·' | '×' => Tok::Op('*'),
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                '⁰' | '¹' | '²' | '³' | '⁴' | '⁵' | '⁶' | '⁷' | '⁸' | '⁹' => {
                    return err(
                        start,
                        i,
                        format!("unexpected character `{c}` (write a power with `^`, as in x^2)"),
                    )
                }
                _ => return err(start, i, format!("unexpected character `{}`", describe(c))),
            }
        };
        out.push((tok, Span { start, end: i }));
    }
    out.push((Tok::End, Span { start: chars.len(), end: chars.len() + 1 }));
    Ok(out)
}

/// Deepest nesting of parentheses, calls, unary minus and powers the parser accepts (the
/// parser recurses; this keeps it far from the stack's end).
const MAX_DEPTH: usize = 256;

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &(Tok, Span) {
        &self.toks[self.pos]
    }

    fn next(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn sum(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.product()?;
        while let (Tok::Op(c @ ('+' | '-')), _) = self.peek().clone() {
            self.next();
            let rhs = self.product()?;
            let op = if c == '+' { BinOp::Add } else { BinOp::Sub };
            lhs = bin(op, lhs, rhs);
        }
        Ok(lhs)
    }

    fn product(&mut self) -> Result<Expr, SyntaxError> {
        let mut lhs = self.unary()?;
        loop {
            match self.peek().clone() {
                (Tok::Op(c @ ('*' | '/')), _) => {
                    self.next();
                    let rhs = self.unary()?;
                    lhs = bin(if c == '*' { BinOp::Mul } else { BinOp::Div }, lhs, rhs);
                }
                // `2x`, `2(x+1)`, `x y`: say what is missing rather than guess.
                (Tok::Num(_) | Tok::Ident(_) | Tok::LParen, s) => {
                    return err(s.start, s.end, "missing operator before this (write `*` for a product)");
                }
                _ => return Ok(lhs),
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let s = self.peek().1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(
                s.start,
                s.end,
                format!("the expression is nested more than {MAX_DEPTH} levels deep"),
            );
        }
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, SyntaxError> {
        if let (Tok::Op('-'), s) = self.peek().clone() {
            self.next();
            let e = self.unary()?;
            let span = Span { start: s.start, end: e.span().end };
            return Ok(Expr::Neg(Box::new(e), span));
        }
        if let (Tok::Op('+'), _) = self.peek() {
            self.next();
            return self.unary();
        }
        self.power()
    }

    fn power(&mut self) -> Result<Expr, SyntaxError> {
        let base = self.atom()?;
        if let (Tok::Op('^'), _) = self.peek() {
            self.next();
            let exp = self.unary()?;
            return Ok(bin(BinOp::Pow, base, exp));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, SyntaxError> {
        let (tok, s) = self.next();
        match tok {
            Tok::Num(x) => Ok(Expr::Num(x, s)),
            Tok::Ident(name) => {
                let is_call = matches!(self.peek().0, Tok::LParen);
                match (FUNCTIONS.iter().find(|f| **f == name), is_call) {
                    (Some(f), true) => {
                        self.next();
                        let arg = self.sum()?;
                        let (close, cs) = self.next();
                        if close != Tok::RParen {
                            return err(
                                cs.start,
                                cs.end,
                                format!("expected `)` to close `{f}(`, found {close}"),
                            );
                        }
                        Ok(Expr::Call(f, Box::new(arg), Span { start: s.start, end: cs.end }))
                    }
                    (Some(f), false) => err(s.start, s.end, format!("`{f}` is a function: write {f}(…)")),
                    (None, true) => err(
                        s.start,
                        s.end,
                        format!("unknown function `{name}`; the functions are {}", FUNCTIONS.join(" ")),
                    ),
                    (None, false) => Ok(Expr::Var(name, s)),
                }
            }
            Tok::LParen => {
                let e = self.sum()?;
                let (close, cs) = self.next();
                if close != Tok::RParen {
                    return err(
                        cs.start,
                        cs.end,
                        format!("expected `)` to close the `(` at column {}, found {close}", s.start + 1),
                    );
                }
                Ok(match e {
                    // Keep the parentheses in the span, for error carets.
                    Expr::Bin(op, a, b, _) => Expr::Bin(op, a, b, Span { start: s.start, end: cs.end }),
                    other => other,
                })
            }
            Tok::End => err(s.start, s.end, "the expression ends where an operand was expected"),
            other => err(s.start, s.end, format!("expected a number, a variable or `(`, found {other}")),
        }
    }
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    let span = Span { start: a.span().start, end: b.span().end };
    Expr::Bin(op, Box::new(a), Box::new(b), span)
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, SyntaxError> {
    let toks = tokenize(src)?;
    if toks.len() == 1 {
        return err(0, 1, "the expression is empty");
    }
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let e = p.sum()?;
    match p.next() {
        (Tok::End, _) => Ok(e),
        (Tok::RParen, s) => err(s.start, s.end, "`)` without a matching `(`"),
        (t, s) => err(s.start, s.end, format!("unexpected {t} after a complete expression")),
    }
}

impl fmt::Display for Expr {
    /// Fully parenthesised, for tests and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(x, _) => write!(f, "{x}"),
            Expr::Var(v, _) => write!(f, "{v}"),
            Expr::Neg(e, _) => write!(f, "(-{e})"),
            Expr::Bin(op, a, b, _) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call(n, e, _) => write!(f, "{n}({e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s).unwrap().to_string()
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(p("x*y + sin(x)"), "((x * y) + sin(x))");
        assert_eq!(p("1 - 2 - 3"), "((1 - 2) - 3)");
        assert_eq!(p("a / b / c"), "((a / b) / c)");
        assert_eq!(p("2^3^2"), "(2 ^ (3 ^ 2))");
        assert_eq!(p("-x^2"), "(-(x ^ 2))");
        assert_eq!(p("2^-x"), "(2 ^ (-x))");
        assert_eq!(p("-(x + 1) * 1e-3"), "((-(x + 1)) * 0.001)");
        assert_eq!(p(".5 + 2.5E+2"), "(0.5 + 250)");
        assert_eq!(p("sigmoid(x) · y − 1"), "((sigmoid(x) * y) - 1)");
    }

    #[test]
    fn errors_point_at_the_column() {
        let cases = [
            ("x*y + * sin(x)", 6, "expected a number"),
            ("x + ", 4, "ends where an operand"),
            ("(x + 1", 6, "expected `)`"),
            ("x + 1)", 5, "without a matching"),
            ("2x", 1, "missing operator"),
            ("foo(x)", 0, "unknown function `foo`"),
            ("sin + 1", 0, "`sin` is a function"),
            ("x $ y", 2, "unexpected character `$`"),
            ("1e+", 0, "malformed number"),
            ("1.2.3", 0, "malformed number `1.2.3`"),
            ("x + 1e400", 4, "the number `1e400` is too large"),
            ("", 0, "empty"),
            ("   ", 3, "empty"),
        ];
        for (src, col, msg) in cases {
            let e = parse(src).unwrap_err();
            assert!(e.message.contains(msg), "{src}: {}", e.message);
            if src.trim().is_empty() {
                continue;
            }
            assert_eq!(e.span.start, col, "{src}: {}", e.message);
        }
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested more than 256"));
        let deep = format!("{}x", "-".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested more than 256"));
        assert!(parse(&format!("{}x{}", "(".repeat(200), ")".repeat(200))).is_ok());
        let r = parse("x*y + * sin(x)").unwrap_err().render("x*y + * sin(x)");
        assert_eq!(r.lines().nth(2).unwrap(), "        ^");
    }
}
