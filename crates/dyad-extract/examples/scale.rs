//! Scaling check for the extraction stages: builds inputs of size N and 2N for each shape and
//! prints the time each takes on one thread, so super-linear stages show up as a ratio well
//! above 2. `cargo run --release -p dyad-extract --example scale [N] [shape...]`.

use std::time::Instant;

use dyad_extract::{EntityLexicon, Extractor};
use dyad_kb::Kb;
use dyad_model::Document;

fn shape(name: &str, n: usize) -> String {
    let mut s = String::new();
    match name {
        "lines" => {
            let v = [
                "Seoul said on Monday.",
                "Washington said on Tuesday.",
                "Tokyo said on Friday.",
            ];
            for i in 0..n {
                s.push_str(v[i % v.len()]);
                s.push('\n');
            }
        }
        "sentences" => {
            for _ in 0..n {
                s.push_str("Seoul said on Monday. ");
            }
        }
        "surname" => {
            s.push_str("President Lee Jae-myung arrived. ");
            for _ in 0..n {
                s.push_str("Lee spoke. ");
            }
        }
        "quotes" => {
            for _ in 0..n {
                s.push_str("\"We will keep working,\" Lee said. ");
            }
        }
        "events" => {
            for _ in 0..n {
                s.push_str("South Korea and the United States agreed to hold a summit in Seoul on October 29.\n\n");
            }
        }
        "bullets" => {
            s.push_str("Joint Fact Sheet\n\nThe United States will:\n");
            for _ in 0..n {
                s.push_str("- invest $350 billion in shipbuilding by 2030;\n");
            }
        }
        "paragraph" => {
            for i in 0..n {
                s.push_str(["Seoul ", "said ", "Trump ", "met ", "Lee ", "he "][i % 6]);
            }
        }
        "longword" => {
            for _ in 0..n {
                s.push_str("abcdefghij");
            }
        }
        "korean" => {
            for _ in 0..n {
                s.push_str("이재명대통령은트럼프대통령과정상회담을");
            }
        }
        "pledges" => {
            for _ in 0..n {
                s.push_str("Trump pledged to invest $350 billion by 2030. ");
            }
        }
        "officials" => {
            for _ in 0..n {
                s.push_str("The defense minister said the South Korean president will visit. ");
            }
        }
        _ => panic!("unknown shape {name}"),
    }
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let shapes: Vec<&str> = if args.len() > 1 {
        args[1..].iter().map(|s| s.as_str()).collect()
    } else {
        vec![
            "lines",
            "sentences",
            "surname",
            "quotes",
            "events",
            "bullets",
            "paragraph",
            "longword",
            "korean",
            "pledges",
            "officials",
        ]
    };
    let ex = Extractor::new(Kb::embedded().expect("kb"), EntityLexicon::default());
    for name in shapes {
        let mut times = Vec::new();
        for m in [n, 2 * n] {
            let text = shape(name, m);
            let bytes = text.len();
            let mut doc = Document {
                published: Some("2025-11-01".into()),
                ..Document::new("scale.txt", None, text)
            };
            let t = Instant::now();
            ex.extract(&mut doc);
            let el = t.elapsed().as_secs_f64();
            times.push(el);
            println!(
                "{name:10} N={m:8} bytes={bytes:9} {el:8.3}s entities={} quotes={} events={} commitments={}",
                doc.entities.len(),
                doc.quotes.len(),
                doc.events.len(),
                doc.commitments.len()
            );
        }
        println!(
            "{name:10} ratio 2N/N = {:.2}",
            times[1] / times[0].max(1e-9)
        );
    }
}
