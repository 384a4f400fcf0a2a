//! The SPARQL scanner: one linear pass over a query or update that measures how deep the
//! parser will recurse and how deep the syntax tree it builds will be, without parsing.
//!
//! It lexes the way spargebra does where that decides what is code: strings in their four
//! forms (a `"""` without a valid end falls back to `""` followed by a `"` string, as in the
//! parser), `#` comments, IRIs `<…>` and `<` as less-than (less-than only right after an
//! operand inside an expression, where the parser tries it; an IRI everywhere else),
//! prefixed names with their `\`-escapes, language tags, numbers with their signs. Each
//! bracket level knows whether it holds a pattern, an expression or data, which decides both
//! the meaning of `<` and which tokens chain: in patterns `UNION`, `OPTIONAL`, `MINUS`,
//! `FILTER`, `BIND`, `VALUES`, `GRAPH`, `SERVICE`, `LATERAL`, a nested group and the path
//! operators `/ | ^ ! * + ?`; in expressions `|| && + - * / !`; `AS` and the expressions of
//! a SELECT clause; `<<` anywhere. Data (`VALUES` rows, `INSERT DATA`) chains nothing, so long
//! generated `VALUES` cost nothing.
//!
//! The measured depth is an upper bound of the algebra's depth: the height of the bracket
//! tree where each level weighs one plus the chain elements it holds, kept as a running
//! lower bound of the final value so that the first token past the limit is the one named.

use super::{Limits, Measure, Shape, TooDeep};

/// What a bracket level holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Outside any bracket: prologue, SELECT clause, solution modifiers, update operations.
    Root,
    /// `{ … }`: a group graph pattern, a template or quad pattern.
    Group,
    /// `VALUES` blocks and `INSERT DATA`/`DELETE DATA`: terms only.
    Data,
    /// `[ … ]`: a blank node property list.
    Bnode,
    /// `( … )` in a pattern: a collection or a path group.
    List,
    /// `( … )` holding an expression or an argument list.
    Expr,
    /// `<<( … )>>`: a triple term.
    Term,
}

/// One open bracket and what the depth bound knows about it.
#[derive(Debug)]
struct Level {
    kind: Kind,
    /// The byte that closes it.
    close: u8,
    /// Chain elements seen directly at this level.
    ops: usize,
    /// The greatest height of a closed child.
    best: usize,
    /// The summed weights of the enclosing levels.
    base: usize,
    /// The depth bound as it stood when this level opened.
    outer: usize,
    /// A level holding a SELECT clause: its `(` hold expressions that chain.
    select: bool,
    /// A `(` after a name glued to `FILTER` (`FILTERex:f(`): an argument list or a
    /// collection, depending on where the parser meets it.
    unclear: bool,
}

impl Level {
    fn weight(&self) -> usize {
        self.ops + usize::from(self.kind != Kind::Root)
    }

    fn bound(&self) -> usize {
        self.outer.max(self.base + self.weight() + self.best)
    }
}

/// What the previous tokens announce about the next bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// After `FILTER`, or `FILTER` and a function name: a `(` opens an expression.
    Filter,
    /// After a prefixed name glued to `FILTER`: the `(` opens an expression or a collection.
    Unclear,
    /// After `BIND`: the `(` opens an expression.
    Bind,
    /// After `<<`: the `(` opens a triple term.
    Term,
}

struct Scanner<'a> {
    text: &'a [u8],
    limits: Limits,
    stack: Vec<Level>,
    /// The previous token ends an operand (inside an expression, a `<` is then less-than).
    operand: bool,
    pending: Pending,
    /// After `VALUES`: brackets hold data until its `{` opens.
    values: bool,
    /// After `DATA`: the next `{` holds data.
    data: bool,
    shape: Shape,
}

/// Measures `text`, stopping at the first token past `limits`.
pub fn scan(text: &str, limits: Limits) -> Result<Shape, TooDeep> {
    let mut scanner = Scanner {
        text: text.as_bytes(),
        limits,
        stack: vec![Level {
            kind: Kind::Root,
            close: 0,
            ops: 0,
            best: 0,
            base: 0,
            outer: 0,
            select: true,
            unclear: false,
        }],
        operand: false,
        pending: Pending::None,
        values: false,
        data: false,
        shape: Shape::default(),
    };
    scanner.run()?;
    Ok(scanner.shape)
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// The characters a prefixed name may hold after a `\`.
fn is_local_escape(c: u8) -> bool {
    b"_~.-!$&'()*+,;=/?#@%".contains(&c)
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    fn top(&mut self) -> &mut Level {
        self.stack
            .last_mut()
            .expect("the root level is never closed")
    }

    fn kind(&self) -> Kind {
        self.stack.last().map_or(Kind::Root, |l| l.kind)
    }

    fn run(&mut self) -> Result<(), TooDeep> {
        let mut i = 0;
        while i < self.text.len() {
            let c = self.text[i];
            i = match c {
                b' ' | b'\t' | b'\r' | b'\n' => i + 1,
                b'#' => self.skip_comment(i),
                b'"' | b'\'' => {
                    let end = self.skip_string(i);
                    self.token(true);
                    end
                }
                b'<' => self.angle(i)?,
                b'(' | b'{' | b'[' => self.open(c, i)?,
                b')' | b'}' | b']' => self.close(c, i),
                b'?' | b'$' => self.variable(i)?,
                b'0'..=b'9' => self.number(i),
                b'.' if self.at(i + 1).is_ascii_digit() => self.number(i),
                b'+' | b'-' => self.sign(c, i)?,
                b'*' | b'/' => self.operator(i, 1, true)?,
                b'|' => self.operator(i, if self.at(i + 1) == b'|' { 2 } else { 1 }, true)?,
                b'&' if self.at(i + 1) == b'&' => self.operator(i, 2, true)?,
                b'^' if self.at(i + 1) == b'^' => self.operator(i, 2, false)?,
                b'^' => self.operator(i, 1, true)?,
                b'!' if self.at(i + 1) == b'=' => self.operator(i, 2, false)?,
                b'!' => self.operator(i, 1, true)?,
                b'@' => self.language(i),
                c if is_word_start(c) => self.word(i)?,
                _ => {
                    self.token(false);
                    i + 1
                }
            };
        }
        Ok(())
    }

    /// A token that is neither a bracket nor a chain element.
    fn token(&mut self, operand: bool) {
        self.operand = operand;
        self.pending = Pending::None;
    }

    /// Counts a chain element at the current level.
    fn chain(&mut self, at: usize) -> Result<(), TooDeep> {
        let top = self.top();
        top.ops += 1;
        let ops = top.ops;
        self.shape.chain = self.shape.chain.max(ops);
        self.check_depth(at)
    }

    fn check_depth(&mut self, at: usize) -> Result<(), TooDeep> {
        let bound = self.stack.last().map_or(0, Level::bound);
        self.shape.depth = self.shape.depth.max(bound);
        if bound > self.limits.depth {
            return Err(self.too_deep(Measure::Depth, self.limits.depth, at));
        }
        Ok(())
    }

    fn too_deep(&self, measure: Measure, limit: usize, at: usize) -> TooDeep {
        let before = &self.text[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Columns count characters: skip UTF-8 continuation bytes.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        TooDeep {
            measure,
            limit,
            line,
            column,
        }
    }

    fn skip_comment(&self, mut i: usize) -> usize {
        while i < self.text.len() && !matches!(self.text[i], b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// The length of a valid escape at `i` (a `\`), as the parser reads it in strings.
    fn escape(&self, i: usize) -> Option<usize> {
        let hex = |from: usize, n: usize| (from..from + n).all(|k| self.at(k).is_ascii_hexdigit());
        match self.at(i + 1) {
            b't' | b'b' | b'n' | b'r' | b'f' | b'"' | b'\'' | b'\\' => Some(2),
            b'u' if hex(i + 2, 4) => Some(6),
            b'U' if hex(i + 2, 8) => Some(10),
            _ => None,
        }
    }

    /// Skips the string starting at `i`; returns the index after it.
    fn skip_string(&self, i: usize) -> usize {
        let quote = self.text[i];
        if self.at(i + 1) == quote && self.at(i + 2) == quote {
            if let Some(end) = self.long_string_end(i + 3, quote) {
                return end;
            }
            // No valid end: the parser reads `""` and then a string from the third quote.
            return i + 2;
        }
        let mut k = i + 1;
        while k < self.text.len() {
            match self.text[k] {
                c if c == quote => return k + 1,
                // The string cannot go on: the parser stops here, so read on as code.
                b'\n' | b'\r' => return k,
                b'\\' => match self.escape(k) {
                    Some(n) => k += n,
                    None => return k,
                },
                _ => k += 1,
            }
        }
        k
    }

    fn long_string_end(&self, mut k: usize, quote: u8) -> Option<usize> {
        while k < self.text.len() {
            match self.text[k] {
                c if c == quote && self.at(k + 1) == quote && self.at(k + 2) == quote => {
                    return Some(k + 3)
                }
                b'\\' => k += self.escape(k)?,
                _ => k += 1,
            }
        }
        None
    }

    /// `<`: less-than, `<<`, `<<(`, or an IRI.
    fn angle(&mut self, i: usize) -> Result<usize, TooDeep> {
        if self.kind() == Kind::Expr && self.operand {
            if self.stack.last().is_some_and(|l| l.unclear) && self.iri_end(i).is_some() {
                return Err(self.too_deep(Measure::Unclear, 0, i));
            }
            self.token(false);
            return Ok(i + if self.at(i + 1) == b'=' { 2 } else { 1 });
        }
        if self.at(i + 1) == b'<' {
            self.chain(i)?;
            self.operand = false;
            self.pending = if self.at(i + 2) == b'(' {
                Pending::Term
            } else {
                Pending::None
            };
            return Ok(i + 2);
        }
        match self.iri_end(i) {
            Some(end) => {
                self.name_token();
                Ok(end)
            }
            None => {
                self.token(false);
                Ok(i + 1)
            }
        }
    }

    /// The end of an IRI at `i` (`<…>` without the characters an IRI cannot hold; `\` is
    /// kept because the parser reads `\u` escapes in IRIs).
    fn iri_end(&self, i: usize) -> Option<usize> {
        let mut k = i + 1;
        while k < self.text.len() {
            match self.text[k] {
                b'>' => return Some(k + 1),
                b'<' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' => return None,
                c if c <= 0x20 => return None,
                _ => k += 1,
            }
        }
        None
    }

    /// An IRI or prefixed name: an operand, or the function name after `FILTER`.
    fn name_token(&mut self) {
        let filter = self.pending == Pending::Filter;
        self.token(true);
        if filter {
            self.pending = Pending::Filter;
        }
    }

    fn open(&mut self, c: u8, i: usize) -> Result<usize, TooDeep> {
        let parent = self.kind();
        let unclear = c == b'('
            && (self.pending == Pending::Unclear || self.stack.last().is_some_and(|l| l.unclear));
        let in_data = parent == Kind::Data || self.values;
        let (kind, close, sibling) = match c {
            b'(' => {
                if self.pending == Pending::Term {
                    (Kind::Term, b')', false)
                } else if in_data {
                    (Kind::Data, b')', false)
                } else if parent == Kind::Expr
                    || matches!(
                        self.pending,
                        Pending::Filter | Pending::Bind | Pending::Unclear
                    )
                {
                    (Kind::Expr, b')', false)
                } else if self.stack.last().is_some_and(|l| l.select) {
                    // A SELECT expression, GROUP BY, HAVING or ORDER BY key.
                    (Kind::Expr, b')', true)
                } else {
                    (Kind::List, b')', false)
                }
            }
            b'{' => {
                let data = in_data || self.data;
                self.values = false;
                self.data = false;
                if data {
                    (Kind::Data, b'}', false)
                } else {
                    (Kind::Group, b'}', parent == Kind::Group)
                }
            }
            _ if parent == Kind::Data => (Kind::Data, b']', false),
            _ => (Kind::Bnode, b']', false),
        };
        if sibling {
            self.chain(i)?;
        }
        let top = self.stack.last().expect("root");
        let level = Level {
            kind,
            close,
            ops: 0,
            best: 0,
            base: top.base + top.weight(),
            outer: top.bound(),
            select: false,
            unclear,
        };
        self.stack.push(level);
        self.token(false);
        let open = self.stack.len() - 1;
        self.shape.brackets = self.shape.brackets.max(open);
        if open > self.limits.brackets {
            return Err(self.too_deep(Measure::Brackets, self.limits.brackets, i));
        }
        self.check_depth(i)?;
        Ok(i + 1)
    }

    /// Closes the current level if `c` closes it; a stray closer is ignored (the parser
    /// fails there, and ignoring it never lowers the count).
    fn close(&mut self, c: u8, i: usize) -> usize {
        if self.stack.len() > 1 && self.stack.last().is_some_and(|l| l.close == c) {
            let closed = self.stack.pop().expect("checked");
            let height = closed.weight() + closed.best;
            let top = self.top();
            top.best = top.best.max(height);
        }
        self.token(true);
        i + 1
    }

    /// `?name`/`$name`, or a lone `?` (a path modifier).
    fn variable(&mut self, i: usize) -> Result<usize, TooDeep> {
        let mut k = i + 1;
        while k < self.text.len() && is_name_char(self.text[k]) {
            k += 1;
        }
        if k > i + 1 {
            self.token(true);
            return Ok(k);
        }
        self.operator(i, 1, true)
    }

    fn number(&mut self, i: usize) -> usize {
        let digits = |s: &Self, mut k: usize| {
            while s.at(k).is_ascii_digit() {
                k += 1;
            }
            k
        };
        let mut k = digits(self, i);
        if self.at(k) == b'.' && self.at(k + 1).is_ascii_digit() {
            k = digits(self, k + 1);
        }
        if matches!(self.at(k), b'e' | b'E') {
            let sign = usize::from(matches!(self.at(k + 1), b'+' | b'-'));
            if self.at(k + 1 + sign).is_ascii_digit() {
                k = digits(self, k + 1 + sign);
            }
        }
        self.token(true);
        k
    }

    /// `+` or `-`: a sign of a number, an arithmetic operator, or `+` as a path modifier.
    fn sign(&mut self, c: u8, i: usize) -> Result<usize, TooDeep> {
        let numeric = self.at(i + 1).is_ascii_digit()
            || (self.at(i + 1) == b'.' && self.at(i + 2).is_ascii_digit());
        match self.kind() {
            Kind::Expr if self.operand => self.operator(i, 1, true),
            _ if numeric => Ok(self.number(i + 1)),
            Kind::Expr | Kind::Data => {
                self.token(false);
                Ok(i + 1)
            }
            _ => self.operator(i, 1, c == b'+'),
        }
    }

    /// An operator of `len` bytes; `chains` says whether it adds a level to the tree.
    fn operator(&mut self, i: usize, len: usize, chains: bool) -> Result<usize, TooDeep> {
        self.token(false);
        if chains && self.kind() != Kind::Data {
            self.chain(i)?;
        }
        Ok(i + len)
    }

    /// `@en`, `@zh-Hans`: a language tag keeps the literal an operand.
    fn language(&mut self, i: usize) -> usize {
        let mut k = i + 1;
        while self.at(k).is_ascii_alphanumeric() || self.at(k) == b'-' {
            k += 1;
        }
        if k == i + 1 {
            self.token(false);
        }
        k
    }

    /// A prefixed name, blank node label, keyword or function name.
    fn word(&mut self, i: usize) -> Result<usize, TooDeep> {
        let mut k = i;
        let mut colon = false;
        while k < self.text.len() {
            match self.text[k] {
                b'\\' if is_local_escape(self.at(k + 1)) => k += 2,
                b':' => {
                    colon = true;
                    k += 1;
                }
                c if is_name_char(c) || c == b'-' || c == b'.' || c == b'%' => k += 1,
                _ => break,
            }
        }
        if colon {
            // A prefixed name never ends with an unescaped dot.
            while k > i + 1 && self.text[k - 1] == b'.' && self.text[k - 2] != b'\\' {
                k -= 1;
            }
            if self.text[i..k.min(i + 6)].eq_ignore_ascii_case(b"FILTER") {
                // `FILTERex:f(…)`: the parser reads FILTER and a function call where a
                // pattern item starts, a prefixed name elsewhere.
                self.token(false);
                self.pending = Pending::Unclear;
                self.chain(i)?;
            } else {
                self.name_token();
            }
            return Ok(k);
        }
        let mut k = i;
        while k < self.text.len() && is_name_char(self.text[k]) {
            k += 1;
        }
        let word = String::from_utf8_lossy(&self.text[i..k]).to_ascii_uppercase();
        self.keyword(&word, i)?;
        Ok(k)
    }

    fn keyword(&mut self, word: &str, i: usize) -> Result<(), TooDeep> {
        let pending = self.pending;
        self.token(matches!(word, "TRUE" | "FALSE") && self.text[i].is_ascii_lowercase());
        match word {
            w if w.starts_with("FILTER") => {
                self.pending = Pending::Filter;
                self.chain(i)?;
            }
            "BIND" => {
                self.pending = Pending::Bind;
                self.chain(i)?;
            }
            "VALUES" => {
                self.values = true;
                self.chain(i)?;
            }
            "DATA" => self.data = true,
            w if w.starts_with("SELECT") => {
                self.top().select = true;
                self.chain(i)?;
            }
            // Each wraps the pattern in one more node; the modifiers wrap a SELECT's.
            "UNION" | "OPTIONAL" | "MINUS" | "GRAPH" | "SERVICE" | "LATERAL" | "AS"
            | "DISTINCT" | "REDUCED" | "ORDER" | "GROUP" | "HAVING" | "LIMIT" | "OFFSET" => {
                self.chain(i)?;
            }
            // A function name after FILTER: its `(` opens an expression.
            _ if pending == Pending::Filter => self.pending = Pending::Filter,
            _ => {}
        }
        Ok(())
    }
}
