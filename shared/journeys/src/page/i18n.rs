//! The page's own words (buttons, labels, progress, results, the link's errors) in the languages the
//! platform's workers read. Only these are translated: the content is shown as its author wrote it.
//!
//! A language is chosen from a tag as stored on a worker or sent by a browser (`sl`, `es-MX`, `pt_BR`,
//! `DE`): its primary subtag decides, and anything unknown reads English.

/// A language the page speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Sl,
    Es,
    Pt,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Self; 6] = [Self::En, Self::Sl, Self::Es, Self::Pt, Self::Fr, Self::De];

    /// The best match for a BCP-47-ish tag (`-` or `_` between subtags, any case, ISO 639-2 codes too);
    /// English when nothing matches.
    pub fn from_tag(tag: &str) -> Self {
        Self::matching(tag).unwrap_or_default()
    }

    /// The first language of an `Accept-Language` header the page speaks, by the header's weights (for
    /// pages shown before a link is read, such as an expired link's); English when none.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(Self, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Self::matching(tag)
                && weight > 0.0
                && best.is_none_or(|(_, w)| weight > w)
            {
                best = Some((lang, weight));
            }
        }
        best.map(|(lang, _)| lang).unwrap_or_default()
    }

    fn matching(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" | "eng" => Self::En,
            "sl" | "slv" => Self::Sl,
            "es" | "spa" => Self::Es,
            "pt" | "por" => Self::Pt,
            "fr" | "fra" | "fre" => Self::Fr,
            "de" | "deu" | "ger" => Self::De,
            _ => return None,
        })
    }

    /// The tag for the document's `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Sl => "sl",
            Self::Es => "es",
            Self::Pt => "pt",
            Self::Fr => "fr",
            Self::De => "de",
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Self::En => &EN,
            Self::Sl => &SL,
            Self::Es => &ES,
            Self::Pt => &PT,
            Self::Fr => &FR,
            Self::De => &DE,
        }
    }
}

/// The page's words in one language. Phrases with numbers in them are functions, since the numbers'
/// places and formats differ.
pub struct Words {
    pub submit: &'static str,
    pub mark_as_done: &'static str,
    pub completed: &'static str,
    pub thank_you: &'static str,
    pub correct: &'static str,
    pub incorrect: &'static str,
    pub passed: &'static str,
    pub not_passed: &'static str,
    pub no_attempts_left: &'static str,
    pub choose_one: &'static str,
    pub choose_all: &'static str,
    pub your_answer: &'static str,
    pub reflection_placeholder: &'static str,
    pub saved: &'static str,
    pub transcript: &'static str,
    pub download: &'static str,
    pub download_document: &'static str,
    pub media_unavailable: &'static str,
    pub check_errors: &'static str,
    pub answer_all: &'static str,
    pub invalid_answer: &'static str,
    pub feedback_empty: &'static str,
    pub expired_title: &'static str,
    pub expired_text: &'static str,
    pub invalid_title: &'static str,
    pub invalid_text: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable_text: &'static str,
    /// "Step 2 of 5".
    pub step: fn(usize, usize) -> String,
    /// "Your score: …", around [`Self::points`] or [`Self::percent`].
    pub your_score: fn(&str) -> String,
    /// "7 of 10" (points).
    pub points: fn(u32, u32) -> String,
    /// "66.67%".
    pub percent: fn(f64) -> String,
    pub attempts_left: fn(u32) -> String,
    pub feedback_too_long: fn(usize) -> String,
}

/// `value` with at most 2 decimals, trailing zeros dropped, and `separator` before the decimals.
fn decimal(value: f64, separator: char) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0);
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    text.replace('.', separator.encode_utf8(&mut [0; 4]))
}

pub static EN: Words = Words {
    submit: "Submit",
    mark_as_done: "Mark as done",
    completed: "Completed",
    thank_you: "Thank you",
    correct: "Correct",
    incorrect: "Incorrect",
    passed: "Passed",
    not_passed: "Not passed",
    no_attempts_left: "No attempts left",
    choose_one: "Choose one answer.",
    choose_all: "Choose all that apply.",
    your_answer: "Your answer",
    reflection_placeholder: "Write your thoughts here…",
    saved: "Your answer was saved.",
    transcript: "Transcript",
    download: "Download",
    download_document: "Download the document",
    media_unavailable: "This media is not available right now.",
    check_errors: "Please check the following:",
    answer_all: "Please answer every question.",
    invalid_answer: "Some answers could not be read. Please try again.",
    feedback_empty: "Please write an answer.",
    expired_title: "This link has expired",
    expired_text: "Ask for a new link, or wait for your next message.",
    invalid_title: "This link is not valid",
    invalid_text: "Check that you opened the whole link from your message.",
    unavailable_title: "This page is no longer available",
    unavailable_text: "There is nothing to do here any more.",
    step: |n, of| format!("Step {n} of {of}"),
    your_score: |score| format!("Your score: {score}"),
    points: |points, total| format!("{points} of {total}"),
    percent: |value| format!("{}%", decimal(value, '.')),
    attempts_left: |n| format!("Attempts left: {n}"),
    feedback_too_long: |max| format!("Your answer is too long (at most {max} characters)."),
};

pub static SL: Words = Words {
    submit: "Pošlji",
    mark_as_done: "Označi kot opravljeno",
    completed: "Opravljeno",
    thank_you: "Hvala",
    correct: "Pravilno",
    incorrect: "Napačno",
    passed: "Uspešno opravljeno",
    not_passed: "Ni opravljeno",
    no_attempts_left: "Ni več poskusov",
    choose_one: "Izberite en odgovor.",
    choose_all: "Izberite vse ustrezne odgovore.",
    your_answer: "Vaš odgovor",
    reflection_placeholder: "Tukaj zapišite svoje misli …",
    saved: "Vaš odgovor je shranjen.",
    transcript: "Prepis",
    download: "Prenesi",
    download_document: "Prenesi dokument",
    media_unavailable: "Ta vsebina trenutno ni na voljo.",
    check_errors: "Preverite naslednje:",
    answer_all: "Odgovorite na vsa vprašanja.",
    invalid_answer: "Nekaterih odgovorov ni bilo mogoče prebrati. Poskusite znova.",
    feedback_empty: "Napišite odgovor.",
    expired_title: "Ta povezava je potekla",
    expired_text: "Prosite za novo povezavo ali počakajte na naslednje sporočilo.",
    invalid_title: "Ta povezava ni veljavna",
    invalid_text: "Preverite, ali ste odprli celotno povezavo iz sporočila.",
    unavailable_title: "Ta stran ni več na voljo",
    unavailable_text: "Tukaj ni več ničesar za narediti.",
    step: |n, of| format!("Korak {n} od {of}"),
    your_score: |score| format!("Vaš rezultat: {score}"),
    points: |points, total| format!("{points} od {total}"),
    percent: |value| format!("{}\u{a0}%", decimal(value, ',')),
    attempts_left: |n| format!("Preostali poskusi: {n}"),
    feedback_too_long: |max| format!("Vaš odgovor je predolg (največ {max} znakov)."),
};

pub static ES: Words = Words {
    submit: "Enviar",
    mark_as_done: "Marcar como hecho",
    completed: "Completado",
    thank_you: "Gracias",
    correct: "Correcto",
    incorrect: "Incorrecto",
    passed: "Aprobado",
    not_passed: "No aprobado",
    no_attempts_left: "No quedan intentos",
    choose_one: "Elige una respuesta.",
    choose_all: "Elige todas las que correspondan.",
    your_answer: "Tu respuesta",
    reflection_placeholder: "Escribe aquí lo que piensas…",
    saved: "Tu respuesta se ha guardado.",
    transcript: "Transcripción",
    download: "Descargar",
    download_document: "Descargar el documento",
    media_unavailable: "Este contenido no está disponible en este momento.",
    check_errors: "Revisa lo siguiente:",
    answer_all: "Responde todas las preguntas.",
    invalid_answer: "No se pudieron leer algunas respuestas. Inténtalo de nuevo.",
    feedback_empty: "Escribe una respuesta.",
    expired_title: "Este enlace ha caducado",
    expired_text: "Pide un enlace nuevo o espera tu próximo mensaje.",
    invalid_title: "Este enlace no es válido",
    invalid_text: "Comprueba que abriste el enlace completo de tu mensaje.",
    unavailable_title: "Esta página ya no está disponible",
    unavailable_text: "Ya no hay nada que hacer aquí.",
    step: |n, of| format!("Paso {n} de {of}"),
    your_score: |score| format!("Tu puntuación: {score}"),
    points: |points, total| format!("{points} de {total}"),
    percent: |value| format!("{}\u{a0}%", decimal(value, ',')),
    attempts_left: |n| format!("Intentos restantes: {n}"),
    feedback_too_long: |max| format!("Tu respuesta es demasiado larga (máximo {max} caracteres)."),
};

pub static PT: Words = Words {
    submit: "Enviar",
    mark_as_done: "Marcar como concluído",
    completed: "Concluído",
    thank_you: "Obrigado",
    correct: "Correto",
    incorrect: "Incorreto",
    passed: "Aprovado",
    not_passed: "Não aprovado",
    no_attempts_left: "Não restam tentativas",
    choose_one: "Escolha uma resposta.",
    choose_all: "Escolha todas as opções que se aplicam.",
    your_answer: "A sua resposta",
    reflection_placeholder: "Escreva aqui o que pensa…",
    saved: "A sua resposta foi guardada.",
    transcript: "Transcrição",
    download: "Transferir",
    download_document: "Transferir o documento",
    media_unavailable: "Este conteúdo não está disponível neste momento.",
    check_errors: "Verifique o seguinte:",
    answer_all: "Responda a todas as perguntas.",
    invalid_answer: "Não foi possível ler algumas respostas. Tente novamente.",
    feedback_empty: "Escreva uma resposta.",
    expired_title: "Este link expirou",
    expired_text: "Peça um novo link ou aguarde pela sua próxima mensagem.",
    invalid_title: "Este link não é válido",
    invalid_text: "Verifique se abriu o link completo da sua mensagem.",
    unavailable_title: "Esta página já não está disponível",
    unavailable_text: "Já não há nada a fazer aqui.",
    step: |n, of| format!("Passo {n} de {of}"),
    your_score: |score| format!("Pontuação: {score}"),
    points: |points, total| format!("{points} de {total}"),
    percent: |value| format!("{}%", decimal(value, ',')),
    attempts_left: |n| format!("Tentativas restantes: {n}"),
    feedback_too_long: |max| format!("A sua resposta é demasiado longa (máximo de {max} caracteres)."),
};

pub static FR: Words = Words {
    submit: "Envoyer",
    mark_as_done: "Marquer comme terminé",
    completed: "Terminé",
    thank_you: "Merci",
    correct: "Correct",
    incorrect: "Incorrect",
    passed: "Réussi",
    not_passed: "Non réussi",
    no_attempts_left: "Plus aucune tentative",
    choose_one: "Choisissez une réponse.",
    choose_all: "Choisissez toutes les réponses qui s’appliquent.",
    your_answer: "Votre réponse",
    reflection_placeholder: "Écrivez vos réflexions ici…",
    saved: "Votre réponse a été enregistrée.",
    transcript: "Transcription",
    download: "Télécharger",
    download_document: "Télécharger le document",
    media_unavailable: "Ce média n’est pas disponible pour le moment.",
    check_errors: "Veuillez vérifier ce qui suit\u{a0}:",
    answer_all: "Veuillez répondre à toutes les questions.",
    invalid_answer: "Certaines réponses n’ont pas pu être lues. Veuillez réessayer.",
    feedback_empty: "Veuillez écrire une réponse.",
    expired_title: "Ce lien a expiré",
    expired_text: "Demandez un nouveau lien ou attendez votre prochain message.",
    invalid_title: "Ce lien n’est pas valide",
    invalid_text: "Vérifiez que vous avez ouvert le lien complet de votre message.",
    unavailable_title: "Cette page n’est plus disponible",
    unavailable_text: "Il n’y a plus rien à faire ici.",
    step: |n, of| format!("Étape {n} sur {of}"),
    your_score: |score| format!("Votre score\u{a0}: {score}"),
    points: |points, total| format!("{points} sur {total}"),
    percent: |value| format!("{}\u{202f}%", decimal(value, ',')),
    attempts_left: |n| format!("Tentatives restantes\u{a0}: {n}"),
    feedback_too_long: |max| format!("Votre réponse est trop longue ({max} caractères au maximum)."),
};

pub static DE: Words = Words {
    submit: "Absenden",
    mark_as_done: "Als erledigt markieren",
    completed: "Erledigt",
    thank_you: "Danke",
    correct: "Richtig",
    incorrect: "Falsch",
    passed: "Bestanden",
    not_passed: "Nicht bestanden",
    no_attempts_left: "Keine Versuche mehr",
    choose_one: "Wählen Sie eine Antwort.",
    choose_all: "Wählen Sie alle zutreffenden Antworten.",
    your_answer: "Ihre Antwort",
    reflection_placeholder: "Schreiben Sie hier Ihre Gedanken …",
    saved: "Ihre Antwort wurde gespeichert.",
    transcript: "Transkript",
    download: "Herunterladen",
    download_document: "Dokument herunterladen",
    media_unavailable: "Dieses Medium ist gerade nicht verfügbar.",
    check_errors: "Bitte prüfen Sie Folgendes:",
    answer_all: "Bitte beantworten Sie alle Fragen.",
    invalid_answer: "Einige Antworten konnten nicht gelesen werden. Bitte versuchen Sie es erneut.",
    feedback_empty: "Bitte schreiben Sie eine Antwort.",
    expired_title: "Dieser Link ist abgelaufen",
    expired_text: "Bitten Sie um einen neuen Link oder warten Sie auf Ihre nächste Nachricht.",
    invalid_title: "Dieser Link ist ungültig",
    invalid_text: "Prüfen Sie, ob Sie den vollständigen Link aus Ihrer Nachricht geöffnet haben.",
    unavailable_title: "Diese Seite ist nicht mehr verfügbar",
    unavailable_text: "Hier gibt es nichts mehr zu tun.",
    step: |n, of| format!("Schritt {n} von {of}"),
    your_score: |score| format!("Ihr Ergebnis: {score}"),
    points: |points, total| format!("{points} von {total}"),
    percent: |value| format!("{}\u{a0}%", decimal(value, ',')),
    attempts_left: |n| format!("Verbleibende Versuche: {n}"),
    feedback_too_long: |max| format!("Ihre Antwort ist zu lang (höchstens {max} Zeichen)."),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_picks_its_language_by_the_primary_subtag() {
        for (tag, lang) in [
            ("sl", Lang::Sl),
            ("sl-SI", Lang::Sl),
            ("es-MX", Lang::Es),
            ("pt_BR", Lang::Pt),
            ("PT-pt", Lang::Pt),
            (" fr-CA ", Lang::Fr),
            ("de-CH", Lang::De),
            ("deu", Lang::De),
            ("en-GB", Lang::En),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag}");
        }
    }

    #[test]
    fn an_unknown_or_empty_tag_reads_english() {
        for tag in ["", "hr", "it-IT", "x", "-", "zh_Hant_TW", "slovenščina"] {
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag}");
        }
    }

    #[test]
    fn an_accept_language_header_picks_the_heaviest_language_spoken() {
        assert_eq!(Lang::from_accept_language("hr-HR,hr;q=0.9,sl;q=0.8,en;q=0.5"), Lang::Sl);
        assert_eq!(Lang::from_accept_language("de;q=0.3, fr-FR"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("es;q=0, pt;q=0.1"), Lang::Pt);
        assert_eq!(Lang::from_accept_language("it, *;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn every_language_tags_itself_and_has_every_word() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), lang);
            let w = lang.words();
            let fixed = [
                w.submit,
                w.mark_as_done,
                w.completed,
                w.thank_you,
                w.correct,
                w.incorrect,
                w.passed,
                w.not_passed,
                w.no_attempts_left,
                w.choose_one,
                w.choose_all,
                w.your_answer,
                w.reflection_placeholder,
                w.saved,
                w.transcript,
                w.download,
                w.download_document,
                w.media_unavailable,
                w.check_errors,
                w.answer_all,
                w.invalid_answer,
                w.feedback_empty,
                w.expired_title,
                w.expired_text,
                w.invalid_title,
                w.invalid_text,
                w.unavailable_title,
                w.unavailable_text,
            ];
            assert!(fixed.iter().all(|s| !s.trim().is_empty()), "{lang:?}");
            assert!((w.step)(2, 5).contains('2') && (w.step)(2, 5).contains('5'), "{lang:?}");
            assert!((w.attempts_left)(3).contains('3'), "{lang:?}");
            assert!((w.feedback_too_long)(4000).contains("4000"), "{lang:?}");
            assert!((w.your_score)(&(w.points)(7, 10)).contains("7"), "{lang:?}");
            if lang != Lang::En {
                assert_ne!(w.submit, EN.submit, "{lang:?}");
                assert_ne!((w.step)(2, 5), (EN.step)(2, 5), "{lang:?}");
            }
        }
    }

    #[test]
    fn numbers_are_written_the_languages_way() {
        assert_eq!((EN.step)(2, 5), "Step 2 of 5");
        assert_eq!((SL.step)(2, 5), "Korak 2 od 5");
        assert_eq!((EN.percent)(66.666), "66.67%");
        assert_eq!((EN.percent)(50.0), "50%");
        assert_eq!((EN.percent)(12.5), "12.5%");
        assert_eq!((DE.percent)(66.67), "66,67\u{a0}%");
        assert_eq!((PT.percent)(100.0), "100%");
        assert_eq!((EN.your_score)(&(EN.points)(7, 10)), "Your score: 7 of 10");
        assert_eq!((ES.your_score)(&(ES.points)(0, 3)), "Tu puntuación: 0 de 3");
    }
}
