/**
 * Second held-out set (issue 4 « it must generalise »): written from the guide alone, before
 * looking at how `catalog/data/vocabulary.yaml` words things, in varied registers — a merchant
 * on a phone (typos, no accents), a town officer's formal wording, one-word keyword queries,
 * long sentences, names of places and brands from the guide's examples. The expected fiche is
 * the one the guide puts the need under, not what the search happens to return.
 */
export const HELD_OUT_2: Record<string, readonly string[]> = {
  // Guide p.17-18, fiche 1: training online or in a dedicated place, Google Ateliers Numériques,
  // « petits déjeuners » of awareness, coaches.
  'formation-en-ligne': [
    'jsuis nul en informatique ya des formations ?',
    'La collectivité souhaite organiser des ateliers de sensibilisation au numérique à destination des commerçants du centre-bourg',
    'formation',
    'google ateliers numeriques c est payant ?',
    'ma vendeuse voudrait suivre un cours en ligne pour se perfectionner sur les outils numériques',
    'un petit déjeuner numérique pour les commerçants du quartier, ça se fait ?',
  ],
  // Guide p.20, fiche 2: being found on search engines and social media, reviews, Google page.
  'referencement-medias-sociaux': [
    'comment avoir des bons avis google',
    'ma page facebook est morte personne like',
    'instagram',
    'Nous souhaiterions que chaque commerçant renseigne correctement sa fiche Google',
    'les gens trouvent pas mon salon quand ils tapent coiffeur sur leur telephone',
    'quelqu un a mis une étoile à mon resto sur google et a écrit n importe quoi, je réponds comment ?',
  ],
  // Guide p.21, fiche 3: SMS, mail, voice message, print campaigns from a customer database.
  'communication-hors-medias-sociaux': [
    'envoyer un sms a mes clientes pour les promos',
    'campagne d emailing',
    'je veux faire des flyers et un mailing pour la réouverture',
    'constituer un fichier clients pour pouvoir leur écrire',
    'digitaleo c est quoi',
    'Quels outils pour piloter des campagnes marketing multicanal (courrier, message vocal, SMS) ?',
  ],
  // Guide p.22, fiche 4: shop windows online, interactive maps, directory of the town's shops.
  'vitrine-numerique-cartographie': [
    'un annuaire en ligne de tous les commerces de la ville',
    'carte interactive des boutiques du centre',
    'L union commerciale envisage un site vitrine collectif présentant l ensemble des commerçants adhérents',
    'faire comme les vitrines de chartres chez nous',
    'ou trouver en ligne la liste des magasins ouverts le dimanche',
    'plan des commerces sur le portail open data',
  ],
  // Guide p.24, fiche 5: the town's app — news, agenda, procedures, canteen menus, reports.
  'application-de-ville': [
    'une appli mobile pour la mairie avec l agenda et les actus',
    'les habitants pourraient signaler un nid de poule depuis leur smartphone',
    'neocity',
    'Nous réfléchissons à une application municipale regroupant démarches, menus de la cantine et transports',
    'appli de la ville',
    'sondage citoyen sur téléphone',
  ],
  // Guide p.25, fiche 6: counting and analysing pedestrian flows, sensors, phone data.
  'comptage-flux-pietons': [
    'combien de monde passe devant ma vitrine chaque jour',
    'des capteurs pour compter les passants',
    'mesurer la fréquentation de la braderie',
    'Exploiter les données de téléphonie mobile pour analyser les déplacements dans les rues commerçantes',
    'mytraffic',
    'savoir a quelle heure il y a le plus de passage pour changer mes horaires',
  ],
  // Guide p.26, fiche 7: smart parking — free spaces, mobile payment, refunding parking.
  'stationnement-intelligent': [
    'parking',
    'les clients se plaignent qu ils trouvent jamais de place pour se garer',
    'payer l horodateur avec son portable',
    'rembourser le stationnement aux clients qui achètent chez nous',
    'Indiquer en temps réel le nombre de places libres dans les parkings municipaux',
    'stationement gratuit 1h pour les acheteurs',
  ],
  // Guide p.27, fiche 8: multimodal route planning, public transport in real time, points of
  // interest.
  'calcul-itineraire': [
    'comment venir en bus au centre-ville',
    'calculateur d itinéraire multimodal',
    'horaires des transports en commun en temps réel sur une appli',
    'aider les visiteurs à trouver leur chemin jusqu aux boutiques',
    'itineraire velo train bus',
    'Proposer aux touristes un guidage vers les points d intérêt du cœur de ville',
  ],
  // Guide p.29, fiche 9: loyalty programmes, gift cheques, vouchers, prepaid accounts.
  'fidelite-cheques-cadeaux': [
    'fidélité',
    'carte de fidelite commune a tous les commercants',
    'des bons d achat à offrir pour noël',
    'chèque cadeau de la ville utilisable chez tous les commerçants',
    'récompenser les clients qui reviennent souvent',
    'La municipalité pourrait-elle étendre la carte de fidélité à la piscine et à la médiathèque ?',
  ],
  // Guide p.30, fiche 10: cashless payment — card, phone, wristband, touch-screen till.
  'paiement-sans-especes': [
    'sans contact',
    'accepter la carte bleue sur le marché',
    'terminal de paiement pas cher',
    'bracelet connecté pour payer au festival',
    'les clients veulent payer avec apple pay',
    'Dématérialiser les paiements dans les commerces de la station',
  ],
  // Guide p.31, fiche 11: operations — stock, purchases and orders, maintenance, waste.
  'optimisation-operationnelle': [
    'gestion des stocks',
    'je perds trop de temps a passer mes commandes fournisseurs',
    'logiciel pour gérer mon restaurant et réduire le gaspillage',
    'suivre mon inventaire en temps réel',
    'Outil de pilotage de l activité : achats, maintenance, déchets',
    'easilys',
  ],
  // Guide p.33, fiche 12: click and collect, online booking of services, appointments.
  'reservation-en-ligne': [
    'click and collect',
    'prise de rendez vous en ligne pour mon salon de coiffure',
    'les clients commandent sur internet et viennent chercher en boutique',
    'réserver une table au resto depuis son téléphone',
    'doctolib pour les kinés',
    'trop de gens annulent au dernier moment',
  ],
  // Guide p.34, fiche 13: the merchant's own online shop or selling through a platform.
  'site-vente-en-ligne': [
    'creer ma boutique en ligne',
    'prestashop ou shopify',
    'vendre mes bérets sur internet dans toute la France',
    'e-commerce',
    'combien coûte un site marchand',
    'Accompagner un artisan dans la création de son propre site de commerce électronique',
  ],
  // Guide p.35, fiche 14: a shared marketplace where several merchants sell online.
  'place-de-marche': [
    'une plateforme commune ou tous les commerçants de la ville vendent en ligne',
    'marketplace locale',
    'achetez au puy',
    'vendre sur cdiscount ou la fnac',
    'Le conseil municipal envisage une place de marché numérique à l échelle de l agglomération',
    'site de e commerce collectif pour les commercants du centre',
  ],
};

/**
 * Goals worded as goals (guide p.16 « Je souhaite… »): the bot should answer with the objective
 * and its fiches, not one fiche.
 */
export const HELD_OUT_2_OBJECTIVES: Record<string, readonly string[]> = {
  o1: [
    'faire comprendre le numérique aux commerçants',
    'les commerçants ne comprennent rien au digital, comment les sensibiliser',
  ],
  o2: ['se faire connaître', 'aider les commerçants à être trouvés'],
  o3: [
    'comment rendre le centre ville plus attractif',
    'comment attirer plus de monde dans le coeur de ville',
  ],
  o4: [
    'je veux vendre plus et gagner plus de marge',
    'augmenter l efficacité commerciale de nos commerces',
  ],
  o5: ['de nouveaux canaux de vente', 'développer la vente à distance pour les commerces'],
};

/** Text the guide has nothing for: the bot must admit it did not understand (SPEC §5). */
export const HELD_OUT_2_OFF_TOPIC: readonly string[] = [
  'quel temps fait-il demain',
  'asdfghjkl',
  '🍕🍕🍕',
  'recette de la tarte aux pommes',
  'qui a gagné le match hier',
  'je cherche un plombier',
  'combien coûte un loyer commercial',
  'xkcd lorem ipsum dolor',
  'ma voiture est en panne',
  'impots 2024 declaration',
];

/** The whole second set as rows: fiches, then objectives, then `none` for off-topic text. */
export const HELD_OUT_2_ROWS: readonly { readonly question: string; readonly expected: string }[] =
  [
    ...Object.entries(HELD_OUT_2).flatMap(([expected, qs]) =>
      qs.map((question) => ({ question, expected })),
    ),
    ...Object.entries(HELD_OUT_2_OBJECTIVES).flatMap(([expected, qs]) =>
      qs.map((question) => ({ question, expected })),
    ),
    ...HELD_OUT_2_OFF_TOPIC.map((question) => ({ question, expected: 'none' })),
  ];
