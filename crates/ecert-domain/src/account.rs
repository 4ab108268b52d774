//! Holder accounts: the rules for usernames, passwords and phone numbers, in the portal's
//! language (the messages are shown to holders as they are).

use thiserror::Error;

/// A username: 3 to 32 letters, digits, `_`, `.` or `-`, compared without case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Parses a username as typed, folding it to lower case.
    pub fn parse(text: &str) -> Result<Self, AccountRuleError> {
        let text = text.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if !(3..=32).contains(&text.chars().count()) || !text.chars().all(allowed) {
            return Err(AccountRuleError::Username);
        }
        Ok(Self(text.to_ascii_lowercase()))
    }

    /// The folded username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which password rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordPolicy {
    /// NIST SP 800-63B: length and a list of common passwords, no composition rules.
    #[default]
    Standard,
    /// The profile for 等级保护 assessments: the standard rules plus three of four character
    /// classes (lower case, upper case, digits, symbols).
    Graded,
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted: long enough for any passphrase or password manager.
pub const MAX_PASSWORD_CHARS: usize = 256;

const COMMON_PASSWORDS: &str = include_str!("../assets/common-passwords.txt");

impl PasswordPolicy {
    /// Checks a new password for the account `username`.
    pub fn check(self, password: &str, username: &Username) -> Result<(), AccountRuleError> {
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(AccountRuleError::PasswordTooShort);
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(AccountRuleError::PasswordTooLong);
        }
        let folded = password.to_lowercase();
        if is_common(&folded) || folded == username.as_str() {
            return Err(AccountRuleError::PasswordCommon);
        }
        if self == Self::Graded && character_classes(password) < 3 {
            return Err(AccountRuleError::PasswordComposition);
        }
        Ok(())
    }
}

fn is_common(folded: &str) -> bool {
    COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line == folded)
}

fn character_classes(password: &str) -> usize {
    let has = |test: fn(&char) -> bool| password.chars().any(|c| test(&c));
    [
        has(char::is_ascii_lowercase),
        has(char::is_ascii_uppercase),
        has(char::is_ascii_digit),
        has(|c| !c.is_ascii_alphanumeric()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count()
}

/// A mainland mobile number: 11 digits starting with 1 and 3 to 9.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number as typed; spaces and dashes are ignored, a +86 prefix is dropped.
    pub fn parse(text: &str) -> Result<Self, AccountRuleError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(AccountRuleError::Phone)
        }
    }

    /// The eleven digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown back to its owner and in logs: `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// A value that breaks an account rule; the message is the portal's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum AccountRuleError {
    /// The username's form.
    #[error("用户名须为 3 至 32 个字母、数字或 _ . - 字符")]
    Username,
    /// Too short a password.
    #[error("密码至少 8 个字符")]
    PasswordTooShort,
    /// Too long a password.
    #[error("密码最多 256 个字符")]
    PasswordTooLong,
    /// A password on the common list, or the username itself.
    #[error("该密码过于常见，容易被猜中，请换一个")]
    PasswordCommon,
    /// The graded profile's composition rule.
    #[error("密码须包含小写字母、大写字母、数字、符号中的至少三类")]
    PasswordComposition,
    /// Not a mobile number.
    #[error("请输入 11 位手机号码")]
    Phone,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Username {
        Username::parse("Zhang.San").unwrap()
    }

    #[test]
    fn usernames_fold_case_and_refuse_other_characters() {
        assert_eq!(user().as_str(), "zhang.san");
        assert_eq!(Username::parse("ab"), Err(AccountRuleError::Username));
        assert_eq!(Username::parse("张三"), Err(AccountRuleError::Username));
        assert_eq!(Username::parse("a/../b"), Err(AccountRuleError::Username));
    }

    #[test]
    fn passwords_need_length_only_by_default() {
        let policy = PasswordPolicy::Standard;
        assert_eq!(
            policy.check("short1!", &user()),
            Err(AccountRuleError::PasswordTooShort)
        );
        assert!(policy.check("correct horse battery", &user()).is_ok());
        assert!(policy.check(&"长".repeat(64), &user()).is_ok());
        assert_eq!(
            policy.check(&"x".repeat(257), &user()),
            Err(AccountRuleError::PasswordTooLong)
        );
    }

    #[test]
    fn common_passwords_and_the_username_are_refused_whatever_their_case() {
        let policy = PasswordPolicy::Standard;
        for password in ["Password123", "qwertyuiop", "WOAINI1314", "Zhang.San"] {
            assert_eq!(
                policy.check(password, &user()),
                Err(AccountRuleError::PasswordCommon),
                "{password}"
            );
        }
    }

    #[test]
    fn the_graded_profile_adds_composition_rules() {
        let policy = PasswordPolicy::Graded;
        assert_eq!(
            policy.check("correct horse battery", &user()),
            Err(AccountRuleError::PasswordComposition)
        );
        assert!(policy.check("Correct horse 7", &user()).is_ok());
    }

    #[test]
    fn phone_numbers_accept_common_spellings() {
        let phone = PhoneNumber::parse("+86 138-0013-8000").unwrap();
        assert_eq!(phone.as_str(), "13800138000");
        assert_eq!(phone.masked(), "138****8000");
        assert_eq!(
            PhoneNumber::parse("12800138000"),
            Err(AccountRuleError::Phone)
        );
        assert_eq!(
            PhoneNumber::parse("1380013800"),
            Err(AccountRuleError::Phone)
        );
    }
}
