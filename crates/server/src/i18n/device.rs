//! The words of the device pages (RFC 8628): where a person types the code a TV, a command
//! line or an agent shows, and what they read once the device has its answer.

#[derive(Debug)]
pub struct DeviceText {
    pub title: &'static str,
    pub intro: &'static str,
    pub code_label: &'static str,
    pub code_help: &'static str,
    pub wrong_code: &'static str,
    /// On the confirmation page: RFC 8628 §5.4's warning against codes sent by someone else.
    pub warning: &'static str,
    pub asks: &'static str,
    pub approved_title: &'static str,
    pub approved: &'static str,
    pub denied_title: &'static str,
    pub denied: &'static str,
    pub failed: &'static str,
}

pub const EN: DeviceText = DeviceText {
    title: "Connect a device",
    intro: "Enter the code your device shows.",
    code_label: "Code",
    code_help: "8 letters, such as BCDF-GHJK.",
    wrong_code: "This code is not valid or has expired. Check the code on your device, or start again there.",
    warning: "Continue only if you started this yourself, on a device in front of you. Never enter a code someone sent you: it would give them access to your account.",
    asks: "is asking to connect to your account from a device.",
    approved_title: "Device connected",
    approved: "You can return to your device: it now has access.",
    denied_title: "Device not connected",
    denied: "The device was not given access. You can close this page.",
    failed: "The device could not be connected. Start again on your device.",
};

pub const FR: DeviceText = DeviceText {
    title: "Connecter un appareil",
    intro: "Saisissez le code affiché par votre appareil.",
    code_label: "Code",
    code_help: "8 lettres, par exemple BCDF-GHJK.",
    wrong_code: "Ce code n’est pas valide ou a expiré. Vérifiez le code sur votre appareil, ou recommencez depuis celui-ci.",
    warning: "Ne continuez que si vous avez lancé cette connexion vous-même, sur un appareil devant vous. Ne saisissez jamais un code que quelqu’un vous a envoyé : cela lui donnerait accès à votre compte.",
    asks: "demande à se connecter à votre compte depuis un appareil.",
    approved_title: "Appareil connecté",
    approved: "Vous pouvez revenir à votre appareil : il a maintenant accès.",
    denied_title: "Appareil non connecté",
    denied: "L’appareil n’a pas reçu d’accès. Vous pouvez fermer cette page.",
    failed: "L’appareil n’a pas pu être connecté. Recommencez depuis votre appareil.",
};
