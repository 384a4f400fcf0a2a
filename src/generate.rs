//! Synthetic automotive supply networks for scale tests: deterministic from a seed, in the
//! ontology's terms, streamed as N-Quads into the graph `<…/graph/synthetic>`.
//!
//! The network: carmakers (about 3 % of the firms, a fifth of them joint ventures of two
//! carmakers) owning brands; tier-1 (12 %), tier-2 (30 %) and tier-3 suppliers (the rest);
//! each supplier supplies one or more customers one tier up (sometimes two), chosen by
//! preferential attachment so that customer in-degrees follow a power law, as in
//! Barabási–Albert networks; some tier-1 suppliers are captive subsidiaries of a carmaker and
//! some are its technology partners. Firms sit in real Chinese automotive cities (under
//! synthetic IRIs), grouped in provinces and economic regions; suppliers cluster near their
//! first customer. Every relation is a direct edge plus an `ak:Relationship` statement node
//! (`ak:assertion ak:Inferred`, derived from a synthetic source document). Labels in English
//! and Chinese. Nothing is held in memory but per-firm counters.
//!
//! IRIs: places are `akid:synthetic/city-…` in every network; firms, brands, statements and
//! the source sit under `akid:synthetic/n{firms}-s{seed}/`, so networks of different sizes or
//! seeds can be loaded side by side without merging their firms.

use crate::error::{Error, Result};
use crate::vocab::{AK, AKID, GRAPH_SYNTHETIC};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Number of companies (carmakers, joint ventures and suppliers), at least 10.
    pub firms: usize,
    /// The seed: the same seed and size give the same bytes.
    pub seed: u64,
    /// Write N-Triples (no graph name) instead of N-Quads.
    pub triples: bool,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Companies.
    pub firms: usize,
    /// Carmakers, joint ventures included.
    pub automakers: usize,
    /// Joint ventures.
    pub joint_ventures: usize,
    /// Parts suppliers.
    pub suppliers: usize,
    /// Brands.
    pub brands: usize,
    /// Cities.
    pub cities: usize,
    /// `ak:suppliesTo` edges.
    pub supply_links: usize,
    /// All direct edges (each with a statement node).
    pub relations: usize,
    /// Quads written.
    pub quads: u64,
}

/// Synthetic entity namespace.
pub const NAMESPACE: &str = "https://w3id.org/autokg/id/synthetic/";

/// A city firms can sit in.
struct City {
    slug: &'static str,
    en: &'static str,
    zh: &'static str,
    /// The province's slug; a province-level municipality is its own province.
    province: &'static str,
    /// The economic region's slug, if it belongs to one.
    region: Option<&'static str>,
    /// How likely a firm is to settle there, relatively.
    weight: u32,
}

const fn c(
    slug: &'static str,
    en: &'static str,
    zh: &'static str,
    province: &'static str,
    region: Option<&'static str>,
    weight: u32,
) -> City {
    City {
        slug,
        en,
        zh,
        province,
        region,
        weight,
    }
}

/// Real automotive cities (under synthetic IRIs) with their relative pull on firms.
#[rustfmt::skip]
const CITIES: &[City] = &[
    c("shanghai", "Shanghai", "上海", "shanghai", Some("yangtze-river-delta"), 10),
    c("shenzhen", "Shenzhen", "深圳", "guangdong", Some("pearl-river-delta"), 9),
    c("chongqing", "Chongqing", "重庆", "chongqing", Some("chengdu-chongqing"), 8),
    c("hefei", "Hefei", "合肥", "anhui", Some("yangtze-river-delta"), 8),
    c("guangzhou", "Guangzhou", "广州", "guangdong", Some("pearl-river-delta"), 7),
    c("wuhan", "Wuhan", "武汉", "hubei", Some("central-china"), 7),
    c("changchun", "Changchun", "长春", "jilin", Some("northeast"), 6),
    c("beijing", "Beijing", "北京", "beijing", Some("jing-jin-ji"), 6),
    c("hangzhou", "Hangzhou", "杭州", "zhejiang", Some("yangtze-river-delta"), 6),
    c("chengdu", "Chengdu", "成都", "sichuan", Some("chengdu-chongqing"), 6),
    c("changzhou", "Changzhou", "常州", "jiangsu", Some("yangtze-river-delta"), 5),
    c("ningbo", "Ningbo", "宁波", "zhejiang", Some("yangtze-river-delta"), 5),
    c("suzhou", "Suzhou", "苏州", "jiangsu", Some("yangtze-river-delta"), 5),
    c("tianjin", "Tianjin", "天津", "tianjin", Some("jing-jin-ji"), 4),
    c("wuhu", "Wuhu", "芜湖", "anhui", Some("yangtze-river-delta"), 4),
    c("xian", "Xi'an", "西安", "shaanxi", None, 4),
    c("liuzhou", "Liuzhou", "柳州", "guangxi", None, 4),
    c("changsha", "Changsha", "长沙", "hunan", Some("central-china"), 4),
    c("nanjing", "Nanjing", "南京", "jiangsu", Some("yangtze-river-delta"), 3),
    c("foshan", "Foshan", "佛山", "guangdong", Some("pearl-river-delta"), 3),
    c("zhengzhou", "Zhengzhou", "郑州", "henan", Some("central-china"), 3),
    c("shenyang", "Shenyang", "沈阳", "liaoning", Some("northeast"), 3),
    c("baoding", "Baoding", "保定", "hebei", Some("jing-jin-ji"), 3),
    c("xiangyang", "Xiangyang", "襄阳", "hubei", Some("central-china"), 2),
    c("yibin", "Yibin", "宜宾", "sichuan", Some("chengdu-chongqing"), 2),
    c("qingdao", "Qingdao", "青岛", "shandong", None, 2),
    c("zhaoqing", "Zhaoqing", "肇庆", "guangdong", Some("pearl-river-delta"), 2),
    c("ningde", "Ningde", "宁德", "fujian", None, 2),
];

/// (slug, English, Chinese) of provinces that are not also cities.
#[rustfmt::skip]
const PROVINCES: &[(&str, &str, &str)] = &[
    ("guangdong", "Guangdong", "广东"), ("anhui", "Anhui", "安徽"), ("hubei", "Hubei", "湖北"),
    ("jilin", "Jilin", "吉林"), ("zhejiang", "Zhejiang", "浙江"), ("sichuan", "Sichuan", "四川"),
    ("jiangsu", "Jiangsu", "江苏"), ("shaanxi", "Shaanxi", "陕西"), ("guangxi", "Guangxi", "广西"),
    ("hunan", "Hunan", "湖南"), ("henan", "Henan", "河南"), ("liaoning", "Liaoning", "辽宁"),
    ("hebei", "Hebei", "河北"), ("shandong", "Shandong", "山东"), ("fujian", "Fujian", "福建"),
];

/// (slug, English, Chinese) of economic regions.
const REGIONS: &[(&str, &str, &str)] = &[
    ("yangtze-river-delta", "Yangtze River Delta", "长江三角洲"),
    ("pearl-river-delta", "Pearl River Delta", "珠江三角洲"),
    ("chengdu-chongqing", "Chengdu–Chongqing region", "成渝地区"),
    ("jing-jin-ji", "Beijing–Tianjin–Hebei region", "京津冀"),
    ("northeast", "Northeast China", "东北地区"),
    ("central-china", "Central China", "华中地区"),
];

/// Syllables for firm names (English, Chinese).
#[rustfmt::skip]
const SYLLABLES: &[(&str, &str)] = &[
    ("Xing", "星"), ("Hua", "华"), ("Long", "龙"), ("Feng", "风"), ("Jiang", "江"),
    ("Tai", "泰"), ("Ming", "明"), ("Rui", "瑞"), ("Chang", "长"), ("Hong", "宏"),
    ("Kai", "凯"), ("Sheng", "盛"), ("Yuan", "远"), ("Jin", "金"), ("Bo", "博"),
    ("Heng", "恒"), ("Da", "达"), ("Tian", "天"), ("Xin", "新"), ("An", "安"),
];

/// Products per supplier tier (English, Chinese): systems, components, materials.
#[rustfmt::skip]
const PRODUCTS: [&[(&str, &str)]; 3] = [
    &[
        ("Battery Systems", "电池系统"), ("Electric Drive", "电驱动"),
        ("Cockpit Electronics", "智能座舱"), ("Chassis Systems", "底盘系统"),
        ("Seating", "座椅"), ("Lighting", "车灯"),
        ("Thermal Management", "热管理"), ("Driver Assistance", "智能驾驶"),
    ],
    &[
        ("Battery Cells", "电芯"), ("Power Semiconductors", "功率半导体"),
        ("Wiring Harnesses", "线束"), ("Castings", "铸件"),
        ("Electric Motors", "电机"), ("Circuit Boards", "电路板"),
        ("Automotive Glass", "汽车玻璃"), ("Tyres", "轮胎"),
    ],
    &[
        ("Lithium Materials", "锂材料"), ("Steel", "钢材"), ("Aluminium", "铝材"),
        ("Copper Foil", "铜箔"), ("Engineering Plastics", "工程塑料"),
        ("Rare-Earth Magnets", "稀土永磁"), ("Electrolyte", "电解液"), ("Rubber", "橡胶"),
    ],
];

/// A small deterministic generator over ChaCha8.
struct Dice(ChaCha8Rng);

impl Dice {
    /// Uniform in `0..n` (multiply-shift; `n ≥ 1`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// 1 + a geometric count with continuation probability `q`, at most `max`.
    fn count(&mut self, q: f64, max: usize) -> usize {
        let mut k = 1;
        while k < max && self.chance(q) {
            k += 1;
        }
        k
    }
}

/// Writes quads, counting them.
struct Sink<W: Write> {
    serializer: oxigraph::io::WriterQuadSerializer<W>,
    graph: GraphName,
    quads: u64,
    relations: usize,
    source: NamedNode,
    /// [`network_segment`] of this network.
    network: String,
}

fn io(e: std::io::Error) -> Error {
    Error::Io {
        path: "<output>".into(),
        source: e,
    }
}

fn ak(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{AK}{local}"))
}

fn id(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{NAMESPACE}{local}"))
}

/// The path segment that keeps one network's firms, brands, statements and source apart
/// from another's (places are shared: a city is the same city in every network).
fn network_segment(firms: usize, seed: u64) -> String {
    format!("n{firms}-s{seed}")
}

impl<W: Write> Sink<W> {
    fn quad(&mut self, s: &NamedNode, p: &NamedNode, o: impl Into<Term>) -> Result<()> {
        let q = Quad::new(s.clone(), p.clone(), o.into(), self.graph.clone());
        self.serializer.serialize_quad(&q).map_err(io)?;
        self.quads += 1;
        Ok(())
    }

    /// Type and bilingual labels.
    fn entity(&mut self, s: &NamedNode, types: &[&str], en: &str, zh: &str) -> Result<()> {
        for t in types {
            self.quad(s, &rdf::TYPE.into_owned(), ak(t))?;
        }
        self.quad(
            s,
            &rdfs::LABEL.into_owned(),
            Literal::new_language_tagged_literal_unchecked(en, "en"),
        )?;
        self.quad(
            s,
            &rdfs::LABEL.into_owned(),
            Literal::new_language_tagged_literal_unchecked(zh, "zh"),
        )
    }

    /// A direct edge and its statement node.
    fn relation(
        &mut self,
        s: &NamedNode,
        p: &str,
        o: &NamedNode,
        product: Option<&str>,
    ) -> Result<()> {
        let predicate = ak(p);
        self.quad(s, &predicate, o.clone())?;
        self.relations += 1;
        let st = id(&format!("{}/rel-{}", self.network, self.relations));
        self.quad(&st, &rdf::TYPE.into_owned(), ak("Relationship"))?;
        self.quad(&st, &ak("subject"), s.clone())?;
        self.quad(&st, &ak("predicate"), predicate)?;
        self.quad(&st, &ak("object"), o.clone())?;
        self.quad(&st, &ak("assertion"), ak("Inferred"))?;
        if let Some(product) = product {
            self.quad(
                &st,
                &ak("product"),
                Literal::new_language_tagged_literal_unchecked(product, "en"),
            )?;
        }
        let source = self.source.clone();
        self.quad(
            &st,
            &NamedNode::new_unchecked(crate::vocab::PROV_WAS_DERIVED_FROM),
            source,
        )
    }
}

/// A firm name from two syllables: (English, Chinese).
fn name(dice: &mut Dice) -> (String, String) {
    let a = SYLLABLES[dice.below(SYLLABLES.len())];
    let mut b = SYLLABLES[dice.below(SYLLABLES.len())];
    while b.0 == a.0 {
        b = SYLLABLES[dice.below(SYLLABLES.len())];
    }
    (
        format!("{}{}", a.0, b.0.to_lowercase()),
        format!("{}{}", a.1, b.1),
    )
}

/// Picks a city index with probability proportional to its weight.
fn city(dice: &mut Dice) -> usize {
    let total: u32 = CITIES.iter().map(|c| c.weight).sum();
    let mut x = dice.below(total as usize) as u32;
    for (i, c) in CITIES.iter().enumerate() {
        if x < c.weight {
            return i;
        }
        x -= c.weight;
    }
    0
}

/// Generates a network and writes it to `out`.
///
/// Arguments: `options`; `out`, any writer (buffer it); `on_progress`, called with the
/// number of firms written so far.
///
/// Returns what was written. Errors: [`Error::InvalidInput`] for fewer than 10 firms, and
/// write errors.
pub fn generate(
    options: Options,
    out: impl Write,
    mut on_progress: impl FnMut(u64),
) -> Result<Report> {
    let n = options.firms;
    if n < 10 {
        return Err(Error::InvalidInput(format!(
            "--firms {n}: a supply network needs at least 10 firms"
        )));
    }
    if n > 50_000_000 {
        return Err(Error::InvalidInput(format!(
            "--firms {n}: at most 50,000,000"
        )));
    }
    let mut dice = Dice(ChaCha8Rng::seed_from_u64(options.seed));
    let format = if options.triples {
        RdfFormat::NTriples
    } else {
        RdfFormat::NQuads
    };
    let graph = if options.triples {
        GraphName::DefaultGraph
    } else {
        NamedNode::new_unchecked(GRAPH_SYNTHETIC).into()
    };
    let mut sink = Sink {
        serializer: RdfSerializer::from_format(format).for_writer(out),
        graph,
        quads: 0,
        relations: 0,
        source: id(&format!("{}/source", network_segment(n, options.seed))),
        network: network_segment(n, options.seed),
    };
    let mut report = Report {
        firms: n,
        cities: CITIES.len(),
        ..Report::default()
    };

    // Sizes.
    let automakers = (n * 3 / 100).max(3);
    let joint_ventures = if automakers >= 5 { automakers / 5 } else { 0 };
    let parents = automakers - joint_ventures;
    let tier1 = (n * 12 / 100).max(2);
    let tier2 = (n * 30 / 100).max(2);
    let tier3 = n - automakers - tier1 - tier2;
    report.automakers = automakers;
    report.joint_ventures = joint_ventures;
    report.suppliers = tier1 + tier2 + tier3;

    // The source, the country, regions, provinces, cities.
    let source = sink.source.clone();
    sink.quad(&source, &rdf::TYPE.into_owned(), ak("SourceDocument"))?;
    sink.quad(
        &source,
        &NamedNode::new_unchecked("http://purl.org/dc/terms/title"),
        Literal::new_language_tagged_literal_unchecked(
            format!(
                "Synthetic automotive supply network: {n} firms, seed {}",
                options.seed
            ),
            "en",
        ),
    )?;
    for (text, lang) in [
        (
            format!("Synthetic supply network, seed {}", options.seed),
            "en",
        ),
        (format!("合成供应网络（种子 {}）", options.seed), "zh"),
    ] {
        sink.quad(
            &source,
            &rdfs::LABEL.into_owned(),
            Literal::new_language_tagged_literal_unchecked(text, lang),
        )?;
    }
    let china = id("china");
    sink.entity(
        &china,
        &["Country"],
        "China (synthetic network)",
        "中国（合成网络）",
    )?;
    for (slug, en, zh) in REGIONS {
        let r = id(&format!("region-{slug}"));
        sink.entity(&r, &["EconomicRegion"], en, zh)?;
        sink.relation(&r, "locatedIn", &china, None)?;
    }
    for (slug, en, zh) in PROVINCES {
        let p = id(&format!("province-{slug}"));
        sink.entity(&p, &["Province"], en, zh)?;
        sink.relation(&p, "locatedIn", &china, None)?;
    }
    let city_iri = |i: usize| id(&format!("city-{}", CITIES[i].slug));
    for (i, city) in CITIES.iter().enumerate() {
        let c = city_iri(i);
        if city.province == city.slug {
            sink.entity(&c, &["City", "Province"], city.en, city.zh)?;
            sink.relation(&c, "locatedIn", &china, None)?;
        } else {
            sink.entity(&c, &["City"], city.en, city.zh)?;
            let province = id(&format!("province-{}", city.province));
            sink.relation(&c, "locatedIn", &province, None)?;
        }
        if let Some(region) = city.region {
            sink.relation(&c, "partOfRegion", &id(&format!("region-{region}")), None)?;
        }
    }

    // Firms are numbered 0..n: automakers (parents, then joint ventures), tier 1, 2, 3.
    let firm_iri = |i: usize| {
        NamedNode::new_unchecked(format!("{AKID}{}", firm_local_name(i, n, options.seed)))
    };
    let mut firm_city: Vec<u8> = Vec::with_capacity(n);
    let mut firm_name: Vec<(String, String)> = Vec::with_capacity(automakers);
    let mut done = 0u64;
    let mut brand = 0usize;
    for i in 0..automakers {
        let (en, zh) = name(&mut dice);
        let c = city(&mut dice);
        firm_city.push(c as u8);
        let f = firm_iri(i);
        if i < parents {
            sink.entity(
                &f,
                &["Automaker"],
                &format!("{en} Motors {i}"),
                &format!("{zh}汽车{i}"),
            )?;
        } else {
            let a = dice.below(parents);
            let mut b = dice.below(parents);
            if parents > 1 {
                while b == a {
                    b = dice.below(parents);
                }
            }
            let (ea, za) = firm_name[a].clone();
            let (eb, zb) = firm_name[b].clone();
            sink.entity(
                &f,
                &["JointVenture", "Automaker"],
                &format!("{ea}-{eb} Automobile {i}"),
                &format!("{za}{zb}汽车{i}"),
            )?;
            sink.relation(&f, "jointVentureOf", &firm_iri(a), None)?;
            if b != a {
                sink.relation(&f, "jointVentureOf", &firm_iri(b), None)?;
            }
        }
        firm_name.push((en.clone(), zh.clone()));
        sink.relation(&f, "headquarteredIn", &city_iri(c), None)?;
        sink.relation(&f, "producesIn", &city_iri(c), None)?;
        if dice.chance(0.4) {
            sink.relation(&f, "producesIn", &city_iri(city(&mut dice)), None)?;
        }
        let brands = if i < parents { dice.count(0.4, 3) } else { 1 };
        for k in 0..brands {
            let b = id(&format!("{}/brand-{brand}", sink.network));
            brand += 1;
            let suffix = ["", " Pro", " Max"][k];
            sink.entity(
                &b,
                &["Brand"],
                &format!("{en}{suffix}"),
                &format!("{zh}{}", ["", "Pro", "Max"][k]),
            )?;
            sink.relation(&f, "ownsBrand", &b, None)?;
        }
        done += 1;
        on_progress(done);
    }
    report.brands = brand;

    // Suppliers, tier by tier. `pool[t]` holds each firm of tier t once plus once per supply
    // link it has received: a uniform draw from it is preferential attachment.
    let tiers = [
        (0usize, automakers),
        (automakers, automakers + tier1),
        (automakers + tier1, automakers + tier1 + tier2),
        (automakers + tier1 + tier2, n),
    ];
    let mut pool: Vec<Vec<u32>> = tiers
        .iter()
        .map(|&(a, b)| (a as u32..b as u32).collect())
        .collect();
    for t in 1..=3 {
        let (start, end) = tiers[t];
        let products = PRODUCTS[t - 1];
        for i in start..end {
            let (en, zh) = name(&mut dice);
            let (pe, pz) = products[dice.below(products.len())];
            let f = firm_iri(i);
            sink.entity(
                &f,
                &["PartsSupplier"],
                &format!("{en} {pe} {i}"),
                &format!("{zh}{pz}{i}"),
            )?;
            let links = dice.count(0.45, 6);
            let mut customers: Vec<u32> = Vec::with_capacity(links);
            for _ in 0..links {
                // Mostly one tier up; one link in ten skips a tier.
                let up = if t >= 2 && dice.chance(0.1) {
                    t - 2
                } else {
                    t - 1
                };
                for _attempt in 0..8 {
                    let c = pool[up][dice.below(pool[up].len())];
                    if !customers.contains(&c) {
                        customers.push(c);
                        pool[up].push(c);
                        break;
                    }
                }
            }
            // Suppliers cluster near their first customer half of the time.
            let c = match customers.first() {
                Some(&first) if dice.chance(0.5) => firm_city[first as usize] as usize,
                _ => city(&mut dice),
            };
            firm_city.push(c as u8);
            sink.relation(&f, "headquarteredIn", &city_iri(c), None)?;
            for &customer in &customers {
                sink.relation(&f, "suppliesTo", &firm_iri(customer as usize), Some(pe))?;
                report.supply_links += 1;
            }
            if t == 1 && dice.chance(0.08) {
                // A captive supplier of a carmaker (in the way of an in-house parts arm).
                sink.relation(&f, "subsidiaryOf", &firm_iri(dice.below(parents)), None)?;
            } else if t == 1 && dice.chance(0.03) {
                sink.relation(&f, "partnerOf", &firm_iri(dice.below(automakers)), None)?;
            }
            done += 1;
            if done.is_multiple_of(1024) {
                on_progress(done);
            }
        }
    }
    on_progress(done);
    report.relations = sink.relations;
    report.quads = sink.quads;
    let mut out = sink.serializer.finish().map_err(io)?;
    out.flush().map_err(io)?;
    Ok(report)
}

/// The local name under `akid:` of firm `i` of the network of `firms` firms made with
/// `seed`, for examples and tests: firm 0 is the first carmaker, suppliers come after the
/// carmakers.
pub fn firm_local_name(i: usize, firms: usize, seed: u64) -> String {
    let automakers = (firms * 3 / 100).max(3);
    let joint_ventures = if automakers >= 5 { automakers / 5 } else { 0 };
    let prefix = if i < automakers - joint_ventures {
        "oem"
    } else if i < automakers {
        "jv"
    } else {
        "supplier"
    };
    format!(
        "{}{}/{prefix}-{i}",
        NAMESPACE.trim_start_matches(AKID),
        network_segment(firms, seed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(firms: usize, seed: u64) -> (Report, Vec<u8>) {
        let mut out = Vec::new();
        let report = generate(
            Options {
                firms,
                seed,
                triples: false,
            },
            &mut out,
            |_| {},
        )
        .expect("generates");
        (report, out)
    }

    #[test]
    fn same_seed_same_bytes() {
        let (a, bytes_a) = run(300, 7);
        let (_, bytes_b) = run(300, 7);
        let (_, bytes_c) = run(300, 8);
        assert_eq!(bytes_a, bytes_b);
        assert_ne!(bytes_a, bytes_c);
        assert_eq!(a.firms, 300);
        assert_eq!(a.automakers, 9);
        assert_eq!(a.joint_ventures, 1);
        assert!(a.supply_links >= a.suppliers, "{a:?}");
    }

    #[test]
    fn output_is_n_quads_in_the_synthetic_graph() {
        let (report, bytes) = run(50, 1);
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(text.lines().count() as u64, report.quads);
        assert!(text
            .lines()
            .all(|l| l.ends_with("<https://w3id.org/autokg/graph/synthetic> .")));
        assert!(text.contains("<https://w3id.org/autokg/ontology#suppliesTo>"));
        assert!(text.contains("@zh"));
        assert!(text.contains(&format!("<{AKID}{}>", firm_local_name(0, 50, 1))));
    }

    #[test]
    fn networks_of_different_seeds_share_places_but_not_firms() {
        let iris = |seed: u64| -> std::collections::BTreeSet<String> {
            let text = String::from_utf8(run(50, seed).1).expect("UTF-8");
            text.lines()
                .filter_map(|l| l.strip_prefix('<'))
                .filter_map(|l| l.split_once('>'))
                .map(|(s, _)| s.to_owned())
                .collect()
        };
        let (a, b) = (iris(1), iris(2));
        let shared: Vec<&String> = a.intersection(&b).collect();
        assert!(shared.iter().any(|s| s.contains("city-")), "{shared:?}");
        assert!(
            shared.iter().all(|s| !s.contains("oem-")
                && !s.contains("supplier-")
                && !s.contains("brand-")
                && !s.contains("rel-")
                && !s.ends_with("/source")),
            "{shared:?}"
        );
    }

    #[test]
    fn too_small_is_refused() {
        let e = generate(
            Options {
                firms: 3,
                seed: 0,
                triples: false,
            },
            Vec::new(),
            |_| {},
        )
        .expect_err("too small");
        assert!(e.to_string().contains("at least 10"));
    }
}
