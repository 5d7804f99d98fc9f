//! What the console says, beside the field concerned, when the management API refuses one of
//! its forms: the API's stable error codes in plain words, in English and French. The API's
//! own messages name its JSON fields (`accessTokenTtl`), which a person at a form never sees.

#[derive(Debug)]
pub struct ProblemText {
    pub name: &'static str,
    pub description: &'static str,
    pub app_type: &'static str,
    pub indicator: &'static str,
    pub indicator_taken: &'static str,
    pub token_ttl: &'static str,
    pub scope_name: &'static str,
    pub scope_name_taken: &'static str,
    pub role_name_taken: &'static str,
    pub role_type: &'static str,
    pub expiry: &'static str,
    pub secret_name_taken: &'static str,
    pub template_name_taken: &'static str,
    pub role_type_mismatch: &'static str,
    pub management_scope: &'static str,
    pub invitee: &'static str,
    pub already_member: &'static str,
    pub invitation_pending: &'static str,
}

impl ProblemText {
    /// The form field an API error code concerns and what to say there; `None` for a code
    /// these words do not cover (its message is then shown as the API gave it).
    pub fn of(&self, code: &str) -> Option<(&'static str, &'static str)> {
        Some(match code {
            "request.invalid_name" => ("name", self.name),
            "request.invalid_description" => ("description", self.description),
            "application.invalid_type" | "application.invalid_third_party_application_type" => {
                ("type", self.app_type)
            }
            "resource.invalid_indicator" => ("indicator", self.indicator),
            "resource.indicator_exists" => ("indicator", self.indicator_taken),
            "resource.invalid_ttl" => ("access_token_ttl", self.token_ttl),
            "scope.invalid_name" => ("name", self.scope_name),
            "scope.name_exists" => ("name", self.scope_name_taken),
            "role.name_exists" => ("name", self.role_name_taken),
            "role.invalid_type" => ("type", self.role_type),
            "application.secret_expires_in_past" => ("expiry", self.expiry),
            "application.secret_name_exists" => ("name", self.secret_name_taken),
            "organization.name_exists" => ("name", self.template_name_taken),
            "organization.role_type_mismatch" => ("roles", self.role_type_mismatch),
            "organization.management_scope" => ("scopes", self.management_scope),
            "organization.invalid_invitee" => ("email", self.invitee),
            "organization.invitee_already_member" => ("email", self.already_member),
            "organization.invitation_pending" => ("email", self.invitation_pending),
            _ => return None,
        })
    }
}

pub const EN: ProblemText = ProblemText {
    name: "Enter a name: 1 to 256 characters, on one line.",
    description: "At most 2048 characters.",
    app_type: "Choose one of the types offered.",
    indicator: "An absolute URI without a # part, such as https://api.example.com.",
    indicator_taken: "Another API already has this identifier.",
    token_ttl: "A number of seconds between 60 and 86400 (a day).",
    scope_name: "One word: letters, digits and signs such as : or _, without spaces or quotes.",
    scope_name_taken: "This API already has a permission with this name.",
    role_name_taken: "Another role already has this name.",
    role_type: "Choose who the role is for.",
    expiry: "Choose a date in the future.",
    secret_name_taken: "This application already has a secret with this name.",
    template_name_taken: "Another one already has this name.",
    role_type_mismatch: "Give users roles for users, and applications roles for machine-to-machine applications.",
    management_scope: "An organization role cannot hold the management API’s permission.",
    invitee: "Enter an email address.",
    already_member: "This person is a member already.",
    invitation_pending: "An invitation to this address is pending: revoke it first to send a new one.",
};

pub const FR: ProblemText = ProblemText {
    name: "Saisissez un nom : de 1 à 256 caractères, sur une ligne.",
    description: "Au plus 2048 caractères.",
    app_type: "Choisissez l’un des types proposés.",
    indicator: "Une URI absolue sans partie #, par exemple https://api.example.com.",
    indicator_taken: "Une autre API a déjà cet identifiant.",
    token_ttl: "Un nombre de secondes entre 60 et 86400 (un jour).",
    scope_name: "Un seul mot : lettres, chiffres et signes comme : ou _, sans espace ni guillemet.",
    scope_name_taken: "Cette API a déjà une permission de ce nom.",
    role_name_taken: "Un autre rôle porte déjà ce nom.",
    role_type: "Choisissez à qui le rôle s’adresse.",
    expiry: "Choisissez une date future.",
    secret_name_taken: "Cette application a déjà un secret de ce nom.",
    template_name_taken: "Ce nom est déjà pris.",
    role_type_mismatch: "Donnez aux utilisateurs des rôles pour utilisateurs, et aux applications des rôles de machine à machine.",
    management_scope: "Un rôle d’organisation ne peut pas détenir la permission de l’API de gestion.",
    invitee: "Saisissez une adresse e-mail.",
    already_member: "Cette personne est déjà membre.",
    invitation_pending: "Une invitation à cette adresse est en attente : révoquez-la pour en envoyer une nouvelle.",
};
