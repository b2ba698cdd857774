#![allow(clippy::unwrap_used)]

use super::*;

fn doc(
    input: &str,
    title: &str,
    text: &str,
    lang: &str,
    published: Option<&str>,
    source: Option<&str>,
) -> Document {
    Document {
        published: published.map(str::to_string),
        language: lang.to_string(),
        source: source.map(str::to_string),
        ..Document::new(input, Some(title), text)
    }
}

fn corpus() -> Vec<Document> {
    vec![
        doc(
            "en1.html",
            "Defense chiefs hold talks in Seoul",
            "The defense ministers held a meeting in Seoul on Tuesday. They discussed the \
             tariff on steel and the cost of stationing troops.",
            "en",
            Some("2025-10-29"),
            Some("Reuters"),
        ),
        doc(
            "en2.html",
            "Tariffs rise again",
            "Washington announced new tariffs on Korean cars.",
            "en",
            Some("2024-03"),
            Some("AP"),
        ),
        doc(
            "ko1.html",
            "국방예산 증액 합의",
            "정부는 내년 국방예산을 크게 늘리기로 했다. 양국 정상은 경주에서 만났다.",
            "ko",
            Some("2025-11-01T09:00:00+09:00"),
            Some("Yonhap"),
        ),
        doc(
            "nodate.txt",
            "Undated note",
            "A short note about a meeting, with no date. 한 사람이 왔다.",
            "en",
            None,
            None,
        ),
    ]
}

fn q(text: &str) -> Query {
    Query {
        text: text.to_string(),
        limit: 10,
        ..Query::default()
    }
}

/// An index in a tempdir holding [`corpus`], committed with payload = number of docs.
fn indexed() -> (tempfile::TempDir, Index, Vec<Document>) {
    let tmp = tempfile::tempdir().unwrap();
    let mut index = Index::open(tmp.path()).unwrap();
    let docs = corpus();
    for (i, d) in docs.iter().enumerate() {
        index.add(i as i64 + 1, d).unwrap();
    }
    index.commit(docs.len() as i64).unwrap();
    (tmp, index, docs)
}

fn inputs(hits: &[Hit]) -> Vec<&str> {
    let mut v: Vec<&str> = hits.iter().map(|h| h.input.as_str()).collect();
    v.sort_unstable();
    v
}

fn highlighted(hit: &Hit) -> Vec<&str> {
    hit.snippet
        .highlights
        .iter()
        .map(|&(a, b)| &hit.snippet.fragment[a..b])
        .collect()
}

#[test]
fn new_index_is_empty_with_payload_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let index = Index::open(tmp.path()).unwrap();
    assert!(tmp.path().join(INDEX_DIR).join("meta.json").is_file());
    assert_eq!(index.indexed_upto().unwrap(), 0);
    assert_eq!(index.num_docs().unwrap(), 0);
    assert!(index.search(&q("anything")).unwrap().is_empty());
}

#[test]
fn payload_round_trips_across_reopen() {
    let (tmp, mut index, docs) = indexed();
    assert_eq!(index.indexed_upto().unwrap(), 4);
    index.add(42, &docs[0]).unwrap();
    index.commit(42).unwrap();
    drop(index);
    let index = Index::open(tmp.path()).unwrap();
    assert_eq!(index.indexed_upto().unwrap(), 42);
    assert_eq!(index.num_docs().unwrap(), 4);
}

#[test]
fn uncommitted_adds_are_lost_and_payload_stays() {
    let (tmp, mut index, _) = indexed();
    let extra = doc("x.txt", "Extra", "uncommitted zebra", "en", None, None);
    index.add(5, &extra).unwrap();
    drop(index); // "crash" before commit
    let index = Index::open(tmp.path()).unwrap();
    assert_eq!(index.indexed_upto().unwrap(), 4);
    assert_eq!(index.num_docs().unwrap(), 4);
    assert!(index.search(&q("zebra")).unwrap().is_empty());
}

#[test]
fn english_is_stemmed() {
    let (_tmp, index, _) = indexed();
    let hits = index.search(&q("meetings")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "nodate.txt"]);
    let hits = index.search(&q("tariffs")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "en2.html"]);
    let hits = index.search(&q("TARIFF")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "en2.html"]);
    // Words are ANDed by default.
    let hits = index.search(&q("tariffs steel")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html"]);
    // A phrase.
    let hits = index.search(&q("\"defense ministers\"")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html"]);
    assert!(
        index
            .search(&q("\"ministers defense\""))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn title_matches_rank_higher() {
    let (_tmp, index, _) = indexed();
    // en2 has "tariffs" in title and text; en1 only in text.
    let hits = index.search(&q("tariff")).unwrap();
    assert_eq!(hits[0].input, "en2.html");
    assert!(hits[0].score > hits[1].score);
}

#[test]
fn korean_matches_inside_words() {
    let (_tmp, index, docs) = indexed();
    for query in ["국방예산", "경주", "국방예산을", "늘리기로", "정상"] {
        let hits = index.search(&q(query)).unwrap();
        assert_eq!(inputs(&hits), vec!["ko1.html"], "query {query}");
        assert_eq!(hits[0].id, docs[2].id);
        assert_eq!(hits[0].language, "ko");
    }
    // Bigrams are matched as a phrase, not as a bag: "국방부" shares 국방 but not 방부.
    assert!(index.search(&q("국방부")).unwrap().is_empty());
    assert!(index.search(&q("예산국방")).unwrap().is_empty());
    // A one-character word is indexed as a unigram and found.
    let hits = index.search(&q("한")).unwrap();
    assert_eq!(inputs(&hits), vec!["nodate.txt"]);
    // Mixed-script query: both parts must match.
    let hits = index.search(&q("경주 meeting")).unwrap();
    assert!(hits.is_empty());
}

#[test]
fn snippets_highlight_the_matched_word() {
    let (_tmp, index, _) = indexed();
    let hits = index.search(&q("meetings")).unwrap();
    let en1 = hits.iter().find(|h| h.input == "en1.html").unwrap();
    assert!(en1.snippet.fragment.contains("meeting in Seoul"));
    assert_eq!(highlighted(en1), vec!["meeting"]);

    let hits = index.search(&q("국방예산")).unwrap();
    assert!(hits[0].snippet.fragment.contains("국방예산을"));
    assert_eq!(highlighted(&hits[0]), vec!["국방예산"]);

    let hits = index.search(&q("경주")).unwrap();
    assert_eq!(highlighted(&hits[0]), vec!["경주"]);
}

#[test]
fn snippet_falls_back_to_start_of_text() {
    let (_tmp, index, _) = indexed();
    // Matches only the title: no highlight in the text, so the text's start is shown.
    let hits = index.search(&q("chiefs")).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].snippet.highlights.is_empty());
    assert!(
        hits[0]
            .snippet
            .fragment
            .starts_with("The defense ministers")
    );

    let tmp = tempfile::tempdir().unwrap();
    let mut index = Index::open(tmp.path()).unwrap();
    let long = "word ".repeat(100) + "needle";
    index
        .add(1, &doc("l.txt", "Long needle", &long, "en", None, None))
        .unwrap();
    index.commit(1).unwrap();
    let hits = index.search(&q("needle")).unwrap();
    assert_eq!(highlighted(&hits[0]), vec!["needle"]);
    assert!(hits[0].snippet.fragment.len() <= SNIPPET_MAX + 10);
}

#[test]
fn filters_lang_source_and_dates() {
    let (_tmp, index, _) = indexed();
    let with = |f: &dyn Fn(&mut Query)| {
        let mut query = q("");
        f(&mut query);
        let hits = index.search(&query).unwrap();
        inputs(&hits)
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(with(&|q| q.lang = Some("ko".into())), vec!["ko1.html"]);
    assert_eq!(
        with(&|q| q.lang = Some("EN".into())),
        vec!["en1.html", "en2.html", "nodate.txt"]
    );
    assert_eq!(
        with(&|q| q.source = Some("reuters".into())),
        vec!["en1.html"]
    );
    assert_eq!(
        with(&|q| q.source = Some(" YONHAP ".into())),
        vec!["ko1.html"]
    );
    assert!(with(&|q| q.source = Some("Reu".into())).is_empty());
    assert_eq!(
        with(&|q| q.since = Some("2025".into())),
        vec!["en1.html", "ko1.html"]
    );
    assert_eq!(with(&|q| q.until = Some("2024".into())), vec!["en2.html"]);
    assert_eq!(
        with(&|q| {
            q.since = Some("2025-10".into());
            q.until = Some("2025-10".into());
        }),
        vec!["en1.html"]
    );
    assert_eq!(
        with(&|q| q.since = Some("2025-11-01".into())),
        vec!["ko1.html"]
    );
    assert_eq!(
        with(&|q| q.until = Some("2025-10-29".into())),
        vec!["en1.html", "en2.html"]
    );
    // Month-precision dates count from the first of the month.
    assert_eq!(
        with(&|q| {
            q.since = Some("2024-03-01".into());
            q.until = Some("2024-03-01".into());
        }),
        vec!["en2.html"]
    );
    // Filters combine with text.
    let mut query = q("meeting");
    query.since = Some("2020".into());
    assert_eq!(inputs(&index.search(&query).unwrap()), vec!["en1.html"]);
    query.lang = Some("ko".into());
    assert!(index.search(&query).unwrap().is_empty());
    // Empty text lists newest first.
    let all = index.search(&q("")).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].input, "ko1.html");
    assert_eq!(all[1].input, "en1.html");
    assert_eq!(all[2].input, "en2.html");
    // Limit.
    let mut query = q("");
    query.limit = 2;
    assert_eq!(index.search(&query).unwrap().len(), 2);
    query.limit = 0;
    assert!(index.search(&query).unwrap().is_empty());
}

#[test]
fn hits_carry_stored_metadata() {
    let (_tmp, index, docs) = indexed();
    let hits = index.search(&q("경주")).unwrap();
    let h = &hits[0];
    assert_eq!(h.id, docs[2].id);
    assert_eq!(h.title.as_deref(), Some("국방예산 증액 합의"));
    assert_eq!(h.source.as_deref(), Some("Yonhap"));
    assert_eq!(h.published.as_deref(), Some("2025-11-01T09:00:00+09:00"));
    assert_eq!(h.input, "ko1.html");
    assert!(h.score > 0.0);
    let hits = index.search(&q("note")).unwrap();
    assert_eq!(hits[0].source, None);
    assert_eq!(hits[0].published, None);
}

#[test]
fn readding_does_not_duplicate() {
    let (_tmp, mut index, docs) = indexed();
    // Same commit and across commits.
    index.add(1, &docs[0]).unwrap();
    index.add(1, &docs[0]).unwrap();
    index.commit(4).unwrap();
    for d in &docs {
        index.add(9, d).unwrap();
    }
    index.commit(9).unwrap();
    assert_eq!(index.num_docs().unwrap(), 4);
    let hits = index.search(&q("meeting")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "nodate.txt"]);
}

#[test]
fn bad_queries_are_errors_not_panics() {
    let (_tmp, index, _) = indexed();
    match index.search(&q("nosuchfield:foo")) {
        Err(SearchError::Query(msg)) => assert!(msg.contains("nosuchfield"), "{msg}"),
        other => panic!("expected a query error, got {other:?}"),
    }
    let mut query = q("meeting");
    query.since = Some("last week".into());
    assert!(matches!(index.search(&query), Err(SearchError::Query(_))));
    query.since = Some("2025-13".into());
    assert!(matches!(index.search(&query), Err(SearchError::Query(_))));
    // Syntax slips are parsed leniently.
    let hits = index.search(&q("\"tariffs")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "en2.html"]);
    let hits = index.search(&q("tariffs)")).unwrap();
    assert_eq!(inputs(&hits), vec!["en1.html", "en2.html"]);
    let r = index.search(&q("((( ]]] :::"));
    assert!(matches!(r, Ok(_) | Err(SearchError::Query(_))), "{r:?}");
    // Field syntax works for real fields.
    let hits = index.search(&q("language:ko")).unwrap();
    assert_eq!(inputs(&hits), vec!["ko1.html"]);
}

#[test]
fn second_writer_is_locked() {
    let (tmp, mut first, docs) = indexed();
    first.add(5, &docs[0]).unwrap(); // holds the writer lock
    let mut second = Index::open(tmp.path()).unwrap();
    // Reading works while another writer holds the lock.
    assert_eq!(second.num_docs().unwrap(), 4);
    match second.add(6, &docs[1]) {
        Err(e @ SearchError::Locked(_)) => assert!(e.to_string().contains("locked")),
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(matches!(second.commit(6), Err(SearchError::Locked(_))));
    drop(first);
    second.add(6, &docs[1]).unwrap();
    second.commit(6).unwrap();
    assert_eq!(second.indexed_upto().unwrap(), 6);
}

#[test]
fn bigram_tokenizer_tokens() {
    let toks = cjk_bigrams("국방예산을 and 경주 x 한");
    let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, vec!["국방", "방예", "예산", "산을", "경주", "한"]);
    let positions: Vec<usize> = toks.iter().map(|t| t.position).collect();
    assert_eq!(positions, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!((toks[1].offset_from, toks[1].offset_to), (3, 9));
    assert!(cjk_bigrams("only latin text 123").is_empty());
    let texts: Vec<String> = cjk_bigrams("韓美同盟")
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert_eq!(texts, vec!["韓美", "美同", "同盟"]);
}

#[test]
fn date_keys() {
    assert_eq!(date_key("2025", false).as_deref(), Some("2025-01-01"));
    assert_eq!(date_key("2025", true).as_deref(), Some("2025-12-31"));
    assert_eq!(date_key("2025-10", false).as_deref(), Some("2025-10-01"));
    assert_eq!(date_key("2025-10", true).as_deref(), Some("2025-10-31"));
    assert_eq!(date_key("2025-10-29", true).as_deref(), Some("2025-10-29"));
    assert_eq!(
        date_key("2025-10-29T10:00:00+09:00", false).as_deref(),
        Some("2025-10-29")
    );
    assert_eq!(
        date_key("2025-10-29 10:00", false).as_deref(),
        Some("2025-10-29")
    );
    for bad in [
        "",
        "25",
        "2025-1",
        "2025-00",
        "2025-10-32",
        "2025-10-29-1",
        "Oct 2025",
        "2025T1",
    ] {
        assert_eq!(date_key(bad, false), None, "{bad}");
    }
}

/// Words of the engine's own messages, which a user of dyad cannot act on.
const ENGINE_WORDS: [&str; 9] = [
    "Syntax Error",
    "Field does not exist",
    "Range query",
    "Invalid query",
    "Unsupported query",
    "positions indexed",
    "tokenizer",
    "Expected",
    "need to target",
];

/// Runs `f` on a thread with the 2 MiB stack of a tokio blocking worker.
fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn query_error(index: &Index, text: &str) -> String {
    match index.search(&q(text)) {
        Err(SearchError::Query(msg)) => msg,
        other => panic!("{text:?}: expected a query error, got {other:?}"),
    }
}

#[test]
fn regression_deeply_nested_parentheses_are_refused_before_parsing() {
    let (_tmp, index, _) = indexed();
    on_worker_stack(move || {
        // The audit's query: ~2,100 levels (4 KB) aborted the server with a stack overflow.
        let deep = format!("{}a{}", "(".repeat(2100), ")".repeat(2100));
        let msg = query_error(&index, &deep);
        assert!(msg.contains("characters long"), "{msg}");
        let deep = format!("{}a{}", "(".repeat(400), ")".repeat(400));
        let msg = query_error(&index, &deep);
        assert!(
            msg.contains("400 levels deep") && msg.contains("remove some"),
            "{msg}"
        );
        // Unclosed, and hidden behind quotes: still counted.
        let msg = query_error(&index, &"(\")\"".repeat(200));
        assert!(msg.contains("groups"), "{msg}");
        let msg = query_error(&index, &format!("{}a", "NOT ".repeat(200)));
        assert!(msg.contains("200 groups"), "{msg}");
        // At the limits the query runs, on a worker's stack.
        let d = MAX_QUERY_DEPTH;
        let nested = format!("{}meeting{}", "(".repeat(d), ")".repeat(d));
        assert_eq!(index.search(&q(&nested)).unwrap().len(), 2);
        let nots = format!("meeting {}tariff", "NOT ".repeat(MAX_QUERY_GROUPS - 1));
        index.search(&q(&nots)).unwrap();
        let mixed = format!(
            "meeting {}a{}",
            "NOT (".repeat(MAX_QUERY_DEPTH),
            ")".repeat(MAX_QUERY_DEPTH)
        );
        index.search(&q(&mixed)).unwrap();
    });
}

#[test]
fn query_errors_say_what_to_do_in_plain_words() {
    let (_tmp, index, _) = indexed();
    let cases = [
        ("[a TO b]", "since/until"),
        ("{2024 TO 2025}", "since/until"),
        ("a:b", "no field `a`"),
        ("-steel", "add a word"),
        ("NOT steel", "add a word"),
        ("title:/ab+/", "double quotes"),
        ("seq:3", "cannot be searched"),
        ("\"steel\"*", "two words"),
    ];
    for (text, expected) in cases {
        let msg = query_error(&index, text);
        assert!(msg.contains(expected), "{text:?}: {msg}");
        for word in ENGINE_WORDS {
            assert!(!msg.contains(word), "{text:?}: {msg}");
        }
    }
    // What the messages suggest works.
    assert_eq!(
        inputs(&index.search(&q("\"a:b\" OR meeting")).unwrap()).len(),
        2
    );
    assert_eq!(index.search(&q("tariff -steel")).unwrap().len(), 1);
}

#[test]
fn filter_dates_are_checked_for_real_months_and_days() {
    for ok in ["2025", "2025-02", "2024-02-29", "2025-12-31"] {
        assert_eq!(check_filter_date("since", ok), Ok(()), "{ok}");
    }
    for (bad, expected) in [
        ("2025-13", "month 13"),
        ("2025-00", "month 00"),
        ("2025-02-29", "days 01 to 28"),
        ("2025-04-31", "days 01 to 30"),
        ("2025-1", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("last week", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2025-10-01T00:00", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ] {
        let msg = check_filter_date("until", bad).unwrap_err();
        assert!(
            msg.contains(expected) && msg.contains("`until`"),
            "{bad}: {msg}"
        );
    }
}

/// A seeded generator of query texts weighted towards the query syntax.
struct QueryGen(u64);

impl QueryGen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }

    fn query(&mut self) -> String {
        const PIECES: &[&str] = &[
            "(",
            ")",
            "\"",
            ":",
            "[",
            "]",
            "{",
            "}",
            "-",
            "+",
            "^",
            "~",
            "*",
            " ",
            " ",
            " ",
            " AND ",
            " OR ",
            "NOT ",
            "\\",
            "/",
            "!",
            "'",
            "`",
            "^2",
            "~3",
            " TO ",
            "IN ",
            "meeting",
            "tariff",
            "steel",
            "Seoul",
            "국방예산",
            "경주",
            "한",
            "정상",
            "title:",
            "text:",
            "language:",
            "id:",
            "published_key:",
            "seq:",
            "facets:",
            "input:",
            "nope:",
            "2025",
            "0",
            "-1",
            "1.5",
            "*",
            "é",
            "\u{0}",
            "\t",
            "\u{200b}",
        ];
        let n = (self.next() % 24) as usize;
        (0..n).map(|_| self.pick(PIECES)).collect()
    }
}

#[test]
fn ten_thousand_random_queries_run_or_explain_themselves() {
    let (_tmp, index, _) = indexed();
    let (ran, refused, engine) = on_worker_stack(move || {
        let mut generator = QueryGen(0x5eed_d1ad);
        let (mut ran, mut refused, mut engine) = (0, 0, 0);
        for _ in 0..10_000 {
            let text = generator.query();
            match index.search(&q(&text)) {
                Ok(_) => ran += 1,
                Err(SearchError::Query(msg)) => {
                    refused += 1;
                    assert!(!msg.trim().is_empty(), "{text:?}");
                    for word in ENGINE_WORDS {
                        assert!(!msg.contains(word), "{text:?}: {msg}");
                    }
                }
                // tantivy 0.27's phrase scorer has a debug assertion that an excluded phrase
                // can trip (quickwit-oss/tantivy#2811); release builds do not have it.
                Err(SearchError::Engine(msg))
                    if cfg!(debug_assertions) && msg.contains("should be greater than") =>
                {
                    engine += 1;
                }
                Err(other) => panic!("{text:?}: {other}"),
            }
        }
        (ran, refused, engine)
    });
    // Both outcomes are exercised: the generator is not all noise nor all words.
    assert!(ran > 1000 && refused > 100, "ran {ran}, refused {refused}");
    assert!(
        engine < 100,
        "{engine} queries tripped the engine's assertion"
    );
}

#[test]
fn regression_an_excluded_phrase_does_not_end_the_process() {
    let (_tmp, index, _) = indexed();
    // Tripped tantivy's debug assertion in the phrase scorer (found by the random queries).
    match index.search(&q("-한~경주 AND Seoul'경주")) {
        Ok(_) => {}
        Err(SearchError::Engine(msg)) if cfg!(debug_assertions) => {
            assert!(msg.contains("should be greater than"), "{msg}");
        }
        Err(other) => panic!("{other}"),
    }
    // The index still answers.
    assert_eq!(index.search(&q("meeting")).unwrap().len(), 2);
}
