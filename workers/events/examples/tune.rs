// scratch tuning harness (not committed): reads dev.jsonl + cached entities
use copydesk_events::*;
use std::io::BufRead;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut ents = std::collections::HashMap::new();
    for l in std::io::BufReader::new(std::fs::File::open("/tmp/ev_ents.jsonl").unwrap()).lines() {
        let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
        let list: Vec<EventEntity> = v["entities"].as_array().unwrap().iter().filter_map(|e| {
            let kind = match e[1].as_str().unwrap() { "PER" => copydesk_types::EntityKind::Person, "ORG" => copydesk_types::EntityKind::Org, "LOC" => copydesk_types::EntityKind::Loc, "MISC" => copydesk_types::EntityKind::Misc, _ => return None };
            Some(EventEntity { name: e[0].as_str().unwrap().into(), kind, mentions: e[2].as_u64().unwrap() as u32 })
        }).collect();
        ents.insert(v["id"].as_str().unwrap().to_string(), list);
    }
    let mut gold = Vec::new();
    for l in std::io::BufReader::new(std::fs::File::open("/work/shared/data/events/dev.jsonl").unwrap()).lines() {
        let g: GoldLine = serde_json::from_str(&l.unwrap()).unwrap();
        let mut doc = g.to_doc();
        doc.entities = ents[&g.id].clone();
        gold.push(GoldDoc { doc, event: g.event.clone(), topic: g.topic.clone() });
    }
    let mut cfg = ClusterConfig::default();
    for a in &args[1..] {
        let (k, v) = a.split_once('=').unwrap();
        match k { "t" => cfg.threshold = v.parse().unwrap(), "e" => cfg.entity_weight = v.parse().unwrap(), "p" => cfg.conflict_penalty = v.parse().unwrap(), "w" => cfg.window_days = v.parse().unwrap(), "r" => cfg.repair = v == "1", _ => panic!() }
    }
    use rand::seq::SliceRandom; use rand::SeedableRng;
    let mut orders = vec![("date".to_string(), copydesk_events::eval::date_order(&gold)), ("file".to_string(), (0..gold.len()).collect::<Vec<_>>())];
    for seed in 1..=3u64 { let mut o: Vec<usize> = (0..gold.len()).collect(); o.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed)); orders.push((format!("sh{seed}"), o)); }
    let truth: Vec<&str> = gold.iter().map(|g| g.event.as_str()).collect();
    let mut fs = vec![]; let mut line = String::new();
    for (name, o) in &orders {
        let (pred, _) = copydesk_events::eval::cluster(&gold, o, &cfg);
        let p: Vec<&str> = pred.iter().map(String::as_str).collect();
        let b = copydesk_events::b3::b3(&p, &truth);
        let n = pred.iter().collect::<std::collections::HashSet<_>>().len();
        fs.push(b.f1); line += &format!(" {name}:P{:.3}/R{:.3}/F{:.3}/n{n}", b.precision, b.recall, b.f1);
    }
    if std::env::var("REPORT").is_ok() {
        let (pred, _) = copydesk_events::eval::cluster(&gold, &orders[0].1, &cfg);
        let mut by: std::collections::HashMap<&str, std::collections::BTreeMap<String, usize>> = Default::default();
        for (i, p) in pred.iter().enumerate() { *by.entry(p.as_str()).or_default().entry(gold[i].event.replace("ecbplus-", "")).or_default() += 1; }
        for (_, m) in &by { if m.len() > 1 { println!("merged {m:?}"); } }
        let mut ev: std::collections::BTreeMap<String, std::collections::HashMap<&str, usize>> = Default::default();
        for (i, p) in pred.iter().enumerate() { *ev.entry(gold[i].event.replace("ecbplus-", "")).or_default().entry(p.as_str()).or_default() += 1; }
        for (e, m) in &ev { if m.len() > 1 { let mut v: Vec<usize> = m.values().copied().collect(); v.sort_unstable_by(|a, b| b.cmp(a)); println!("split {e} {v:?}"); } }
    }
    println!("{:?} mean {:.3} |{line}", args[1..].to_vec(), fs.iter().sum::<f64>() / fs.len() as f64);
}
