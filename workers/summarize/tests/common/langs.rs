//! Short invented wire stories in the languages the wire brings (written for these tests; the
//! places are real, everything else is made up). Each opens with a dateline and agency credit,
//! has a paragraph that starts with a conjunction, abbreviations its language uses, and enough
//! paragraphs for sections.

use copydesk_types::Story;

fn story(lang: &str, headline: &str, paragraphs: &[&str]) -> Story {
    let mut s = Story::new(
        format!("urn:test:{lang}"),
        headline,
        paragraphs.iter().map(|p| p.to_string()).collect(),
    );
    s.language = Some(lang.to_string());
    s
}

/// German: a ferry company's new route, with "z. B.", "Prof." and "am 3. Oktober".
pub fn german() -> Story {
    story("de", "Reederei startet neue Fährlinie zwischen Kiel und Göteborg", &[
        "Kiel (Copydesk) - Die Reederei Nordlicht startet am 3. Oktober eine neue Fährlinie zwischen Kiel und Göteborg und will damit vor allem Lastwagen von der Straße holen.",
        "Die Schiffe sollen an sechs Tagen der Woche fahren. Jede Überfahrt dauert nach Angaben des Unternehmens rund vierzehn Stunden.",
        "Aber die Hafenverwaltung in Kiel muss zuvor einen Anleger umbauen. Die Arbeiten kosten etwa 12 Mio. Euro und sollen im September fertig werden.",
        "Reederei-Chefin Anna Berg sagte, die Nachfrage der Spediteure sei groß. Viele Kunden hätten sich bereits Plätze für den Winter gesichert.",
        "Der Verkehrsforscher Prof. Jens Hoffmann von der Universität Kiel hält das Angebot für sinnvoll. Jeder Lastwagen auf dem Schiff spare z. B. rund 600 Kilometer auf der Autobahn.",
        "Umweltverbände begrüßten die Pläne grundsätzlich. Sie fordern jedoch, dass die Fähren im Hafen Landstrom nutzen und ihre Motoren abschalten.",
        "Die Stadt Kiel rechnet mit zusätzlichen Einnahmen aus Hafengebühren. Im vergangenen Jahr legten im Kieler Hafen mehr als 2000 Schiffe an.",
        "Die Gewerkschaft der Seeleute verlangt Tarifverträge für die neue Besatzung. Die Reederei will bis zum Start 180 Seeleute einstellen.",
        "Tickets für Autofahrer sollen ab August verkauft werden. Die Preise will die Reederei im Juli bekanntgeben.",
        "Die Landesregierung fördert den Umbau des Anlegers mit drei Millionen Euro. Verkehrsminister Lars Petersen sprach von einem wichtigen Signal für den Norden.",
        "In Göteborg wird ebenfalls gebaut. Der schwedische Hafen erweitert sein Terminal für Lastwagen um zwei Spuren.",
        "Die Reederei hat zwei gebrauchte Schiffe in Finnland gekauft. Beide Fähren werden derzeit in einer Werft in Danzig umgebaut.",
        "Jedes Schiff bietet Platz für 120 Lastwagen und 400 Passagiere. An Bord gibt es Kabinen, ein Restaurant und einen Spielbereich für Kinder.",
        "Konkurrenten reagierten gelassen auf die Pläne. Ein Sprecher der Stena Line sagte, der Markt sei groß genug für mehrere Anbieter.",
    ])
}

/// Italian: a museum reopening, with "sig." and "ecc.".
pub fn italian() -> Story {
    story("it", "Il Museo del Mare di Genova riapre dopo due anni di lavori", &[
        "GENOVA (Copydesk) - Il Museo del Mare di Genova riaprirà sabato dopo due anni di lavori di restauro che sono costati 18 milioni di euro alla Regione Liguria.",
        "Le sale sono state ampliate e il percorso è stato completamente rinnovato. I visitatori potranno vedere anche una galea ricostruita a grandezza naturale.",
        "Ma i lavori non sono ancora finiti nel giardino del museo. Il Comune prevede di completarli entro la fine dell'estate.",
        "Il direttore del museo, il sig. Marco Ferri, ha detto che l'obiettivo è raddoppiare il numero dei visitatori. Nel 2019 il museo aveva accolto circa 250.000 persone.",
        "Le scuole potranno prenotare visite guidate gratuite fino a dicembre. Sono previsti laboratori per bambini, concerti, letture ecc. ogni fine settimana.",
        "Gli albergatori della città sperano in un aumento dei turisti stranieri. Secondo la Camera di commercio, le prenotazioni per l'autunno sono già in crescita.",
        "La Regione Liguria ha annunciato un biglietto unico per i musei del porto. Il biglietto costerà 25 euro e varrà tre giorni.",
        "Il museo resterà aperto tutti i giorni tranne il lunedì. Nei mesi estivi l'orario sarà prolungato fino alle 22.",
        "La nuova ala del museo ospita una collezione di strumenti di navigazione. Gli oggetti sono stati donati da una famiglia di armatori genovesi.",
        "Il restauro ha riguardato anche la facciata dell'edificio. Gli architetti hanno recuperato i colori originali dell'Ottocento.",
        "Il sindaco di Genova ha invitato i cittadini alla cerimonia di apertura. La banda della Marina suonerà davanti all'ingresso alle dieci.",
        "Durante i lavori il museo ha prestato alcune opere ad altre città. Le navi in miniatura sono tornate da Barcellona la settimana scorsa.",
        "Il personale del museo è stato aumentato di quindici persone. Tra i nuovi assunti ci sono guide che parlano inglese, francese e tedesco.",
    ])
}

/// Norwegian: a tunnel closure, with "bl.a.", "f.eks." and "kl.".
pub fn norwegian() -> Story {
    story("nb-NO", "Tunnelen under Oslofjorden stenges i tre uker", &[
        "OSLO (Copydesk) - Tunnelen under Oslofjorden stenges i tre uker fra mandag fordi veivesenet skal bytte ut ventilasjonsanlegget og lysene i hele tunnelen.",
        "Trafikken blir sendt rundt Drammen. Omkjøringen gjør turen mellom Hurum og Oslo nesten en time lengre.",
        "Men fergen mellom Moss og Horten får ekstra avganger i perioden. Rederiet setter inn bl.a. et ekstra skip på kveldstid.",
        "Prosjektleder Kari Nilsen i Statens vegvesen sier at arbeidet ikke kan vente lenger. Anlegget er over tjue år gammelt og har hatt flere feil det siste året.",
        "Næringslivet i Asker og Hurum er bekymret for leveransene. Flere bedrifter, f.eks. bakerier og transportfirmaer, har allerede endret rutene sine.",
        "Vegvesenet anbefaler pendlere å ta bussen eller toget i perioden. Det blir satt opp ekstra busser fra Sætre til Oslo hver morgen kl. 6.",
        "Tunnelen ble åpnet i 2000 og har i dag over 10.000 biler i døgnet. Arbeidet koster rundt 150 millioner kroner.",
        "Utrykningskjøretøy skal likevel kunne kjøre gjennom tunnelen hvis det er nødvendig. Politiet vil ha en patrulje stasjonert ved innkjøringen.",
        "Arbeidet skal foregå døgnet rundt i hele perioden. Vegvesenet har leid inn over hundre arbeidere fra flere entreprenører.",
        "Naboene ved tunnelinnslaget i Hurum får varsel om støyende arbeid på natten. De kan søke om å bo på hotell de verste nettene.",
        "Kommunen har bedt om at skolebussene får kjøre først i køen på fergen. Vegvesenet skal svare på ønsket innen fredag.",
        "Dette er første gang tunnelen stenges helt siden den ble åpnet. Tidligere har arbeid bare skjedd om natten med ett felt åpent.",
        "Fergeselskapet venter rekordmange passasjerer de neste ukene. Billettene kan kjøpes på nett for å unngå lange køer ved kaia.",
    ])
}

/// Finnish: a new tram line, with "esim." and "n.".
pub fn finnish() -> Story {
    story("fi", "Tampereen uusi raitiolinja avataan liikenteelle elokuussa", &[
        "TAMPERE (Copydesk) - Tampereen uusi raitiolinja Lentävänniemeen avataan liikenteelle elokuussa, kertoi kaupungin liikennelaitos tiistaina.",
        "Linjan rakentaminen kesti kolme vuotta. Se maksoi n. 240 miljoonaa euroa, mikä on hieman vähemmän kuin alun perin arvioitiin.",
        "Mutta koeajot jatkuvat vielä koko kesän. Raitiovaunut ajavat reittiä ilman matkustajia, jotta kuljettajat oppivat sen.",
        "Liikennejohtaja Mikko Lahtinen sanoi, että vaunuja kulkee ruuhka-aikaan kuuden minuutin välein. Iltaisin ja viikonloppuisin väli on kymmenen minuuttia.",
        "Linjan varrelle rakennetaan paljon uusia asuntoja. Esim. Hiedanrannan alueelle on suunniteltu kodit noin 25 000 asukkaalle.",
        "Osa yrittäjistä on valittanut rakennustöiden aiheuttamista haitoista. Kaupunki on luvannut korvauksia kaikkein pahiten kärsineille liikkeille.",
        "Bussilinjoja muutetaan samalla, kun raitiolinja avataan. Uudet aikataulut julkaistaan heinäkuussa.",
        "Avajaispäivänä raitiovaunuissa saa matkustaa ilmaiseksi. Kaupunki järjestää myös konsertin Lentävänniemen päätepysäkillä.",
        "Uusia raitiovaunuja on hankittu kahdeksan. Ne valmistettiin kotimaisella tehtaalla, ja ensimmäinen vaunu saapui Tampereelle maaliskuussa.",
        "Kaupunginvaltuusto hyväksyi linjan rakentamisen vuonna 2021. Päätöksestä äänestettiin pitkän keskustelun jälkeen.",
        "Matkustajamääriksi arvioidaan aluksi noin 20 000 nousua päivässä. Määrän odotetaan kasvavan, kun uudet asuinalueet valmistuvat.",
        "Pyöräilijät saavat kuljettaa polkupyöriä vaunuissa ruuhka-aikojen ulkopuolella. Jokaisessa vaunussa on tilaa neljälle pyörälle.",
        "Rakennustyöt Hiedanrannan pysäkillä valmistuvat vasta syksyllä. Siihen asti vaunut pysähtyvät väliaikaisella laiturilla.",
        "Liikennelaitoksen mukaan vaunujen kuljettajiksi on koulutettu neljäkymmentä uutta työntekijää. Koulutus kesti puoli vuotta.",
        "Raitiolinjan varrella olevat kaupat odottavat asiakasmäärien kasvua. Lentävänniemen kauppakeskus aikoo pidentää aukioloaikojaan.",
        "Kaupunki selvittää jo seuraavaa laajennusta Pirkkalan suuntaan. Selvitys valmistuu ensi vuoden alussa.",
        "Liput käyvät samoin hinnoin kuin busseissa. Kuukausilipun haltijat voivat matkustaa sekä busseilla että raitiovaunuilla.",
        "Lumitöistä vastaa talvella kaupungin oma yksikkö. Kiskot pidetään puhtaina erityisellä aurausvaunulla.",
    ])
}

/// French: a rail strike, with "M." and "etc.".
pub fn french() -> Story {
    story("fr", "Grève des contrôleurs aériens à Marseille, des dizaines de vols annulés", &[
        "MARSEILLE (Copydesk) - Une grève des contrôleurs aériens a entraîné jeudi l'annulation de plus de quatre-vingts vols à l'aéroport de Marseille, selon la direction de l'aéroport.",
        "Les compagnies low cost ont été les plus touchées. Plusieurs milliers de passagers ont dû modifier leur voyage ou attendre un vol de remplacement.",
        "Mais les vols long-courriers ont pour la plupart été maintenus. La direction a demandé aux voyageurs de vérifier l'état de leur vol avant de se rendre à l'aéroport.",
        "Le syndicat des contrôleurs réclame des recrutements supplémentaires. Selon lui, les effectifs ont baissé de dix pour cent en cinq ans alors que le trafic a augmenté.",
        "M. Laurent Morel, porte-parole du syndicat, a déclaré que les contrôleurs travaillaient trop souvent en sous-effectif. Le mouvement doit durer jusqu'à samedi.",
        "Les hôtels, les loueurs de voitures, les taxis etc. ont signalé une forte baisse de leur activité. La chambre de commerce estime les pertes à plusieurs millions d'euros.",
        "Le ministère des Transports a appelé à la reprise du dialogue. Une réunion avec les syndicats est prévue lundi à Paris.",
        "Les passagers dont le vol a été annulé peuvent demander un remboursement. Les compagnies doivent aussi proposer un réacheminement.",
        "À l'aéroport, de longues files d'attente se sont formées devant les guichets. Des bénévoles ont distribué de l'eau aux familles avec enfants.",
        "La préfecture a ouvert un gymnase pour les voyageurs bloqués pendant la nuit. Environ deux cents personnes y ont dormi.",
        "Les contrôleurs de Nice et de Montpellier n'ont pas rejoint le mouvement. Les vols y ont été assurés normalement.",
        "Le trafic à Marseille avait atteint un niveau record l'été dernier. L'aéroport a accueilli plus de dix millions de passagers l'an passé.",
        "Les organisations patronales du tourisme ont demandé une loi sur le service minimum. Le gouvernement a indiqué qu'il étudierait la question.",
    ])
}

/// Spanish: a drought plan, with "Sr." and "EE.UU.".
pub fn spanish() -> Story {
    story("es", "Sevilla aprueba un plan de emergencia por la sequía", &[
        "SEVILLA (Copydesk) - El Ayuntamiento de Sevilla aprobó el martes un plan de emergencia por la sequía que limita el riego de parques y jardines y prohíbe llenar piscinas privadas.",
        "Los embalses que abastecen a la ciudad están al veinticinco por ciento de su capacidad. Es el nivel más bajo de los últimos treinta años.",
        "Pero el plan no prevé cortes de agua en los hogares por ahora. La empresa municipal de aguas revisará la situación cada dos semanas.",
        "El alcalde, el Sr. Antonio Ruiz, dijo que el ahorro de agua era responsabilidad de todos. Pidió a los vecinos que redujeran el consumo en un diez por ciento.",
        "Los agricultores de la provincia temen por la cosecha de este año. Algunos han pedido ayudas similares a las que se conceden en EE.UU. en caso de sequía.",
        "Los hoteles deberán instalar grifos de bajo consumo antes del verano. El Ayuntamiento ofrecerá subvenciones para cubrir parte del coste.",
        "Las fuentes ornamentales de la ciudad se apagarán a partir del lunes. Solo seguirán funcionando las que reutilizan el agua.",
        "Los expertos advierten de que la sequía puede durar hasta el otoño. La Agencia de Meteorología prevé un verano más seco de lo normal.",
        "Los campos de golf tendrán que regar solo con agua reciclada. La medida afecta a cuatro campos situados en el término municipal.",
        "La policía local vigilará el cumplimiento de las restricciones. Las multas por llenar una piscina pueden llegar a 3.000 euros.",
        "La Junta de Andalucía estudia trasvases desde otras cuencas. La decisión se tomará en una reunión prevista para el próximo mes.",
        "Las asociaciones de vecinos apoyan el plan en general. Piden, sin embargo, que se revisen las tarifas para las familias numerosas.",
        "El consumo de agua en la ciudad ha bajado un seis por ciento desde enero. Las campañas de ahorro han tenido un efecto visible.",
    ])
}

/// Every story, with its language code.
pub fn all() -> Vec<(&'static str, Story)> {
    vec![
        ("de", german()),
        ("it", italian()),
        ("no", norwegian()),
        ("fi", finnish()),
        ("fr", french()),
        ("es", spanish()),
    ]
}
